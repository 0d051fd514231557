package nsis

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/internal/testtool"
)

// nastyName holds everything NSIS gives a meaning to in a string.
const nastyName = `Dollar $HOME "Quoted" ${NSISDIR} $(^Name) $\n & Co`

// sampleInput is an app folder with the executable, a license and a
// docs folder with a sub-folder, staged in a temporary folder.
func sampleInput(t *testing.T, arch, scope string) packager.Input {
	t.Helper()
	app := filepath.Join(t.TempDir(), "app")
	for name, data := range map[string]string{
		"hello.exe":            "MZ",
		"LICENSE":              "MIT",
		"docs/guide.txt":       "guide",
		"docs/img/logo.png":    "png",
		"docs/z-last.txt":      "z",
		"empty/":               "",
		"zz/$weird {name}.txt": "w",
	} {
		p := filepath.Join(app, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return packager.Input{
		Config: config.Config{
			Name: "Hello", ID: "com.example.hello", Binary: "hello", Publisher: "Example Corp",
			Homepage: "https://example.com/hello",
			Windows:  config.Windows{InstallScope: scope},
		},
		Dir:     t.TempDir(),
		Version: semver.MustParse("1.2.3-rc.2"),
		Target:  platform.Target{OS: "windows", Arch: arch},
		AppDir:  app,
		Exe:     "hello.exe",
		Stem:    "hello_1.2.3-rc.2_windows_" + arch,
		MTime:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		WorkDir: t.TempDir(),
	}
}

func render(t *testing.T, in packager.Input) string {
	t.Helper()
	s, err := newScript(in)
	if err != nil {
		t.Fatal(err)
	}
	s.OutFile = "out/installer.exe" // as Package sets it
	b, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lines reports each of want that is not a line of script (after trimming
// indentation and trailing comments' spaces).
func checkLines(t *testing.T, script string, want ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(script, "\n") {
		l = strings.TrimSpace(l)
		have[l] = true
		if code, _, ok := strings.Cut(l, " ;"); ok {
			have[strings.TrimSpace(code)] = true
		}
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("no line %s", w)
		}
	}
}

func checkAbsent(t *testing.T, script string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(script, u) {
			t.Errorf("script holds %q", u)
		}
	}
}

const key = `"Software\Microsoft\Windows\CurrentVersion\Uninstall\com.example.hello"`

func TestScriptUserScope(t *testing.T) {
	in := sampleInput(t, "amd64", "user")
	s := render(t, in)
	checkLines(t, s,
		`Unicode true`,
		`Target amd64-unicode`,
		`SetCompressor /SOLID lzma`,
		`SetDateSave off`,
		`ManifestDPIAware true`,
		`RequestExecutionLevel user`,
		`InstallDir "$LOCALAPPDATA\Programs\Hello"`,
		`InstallDirRegKey HKCU `+key+` "InstallLocation"`,
		`SetShellVarContext current`,
		`OutFile "out/installer.exe"`,
		`VIProductVersion "1.2.3.2"`,
		`VIFileVersion "1.2.3.2"`,
		`VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "Hello"`,
		`VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "Example Corp"`,
		`VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "Hello Setup"`,
		`VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "1.2.3-rc.2"`,
		`VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "1.2.3-rc.2"`,
		`VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "© 2026 Example Corp"`,
		`WriteRegStr HKCU `+key+` "DisplayName" "Hello"`,
		`WriteRegStr HKCU `+key+` "DisplayVersion" "1.2.3-rc.2"`,
		`WriteRegStr HKCU `+key+` "Publisher" "Example Corp"`,
		`WriteRegStr HKCU `+key+` "DisplayIcon" "$INSTDIR\uninstall.exe,0"`,
		`WriteRegStr HKCU `+key+` "URLInfoAbout" "https://example.com/hello"`,
		`WriteRegStr HKCU `+key+` "UninstallString" '"$INSTDIR\uninstall.exe"'`,
		`WriteRegStr HKCU `+key+` "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'`,
		`WriteRegDWORD HKCU `+key+` "NoModify" 1`,
		`WriteRegDWORD HKCU `+key+` "NoRepair" 1`,
		`WriteRegDWORD HKCU `+key+` "EstimatedSize" $0`,
		`CreateShortcut "$SMPROGRAMS\Hello.lnk" "$INSTDIR\hello.exe" "" "$INSTDIR\hello.exe" 0`,
		`DeleteRegKey HKCU `+key,
		`Delete "$SMPROGRAMS\Hello.lnk"`,
	)
	checkAbsent(t, s, "HKLM", "RequestExecutionLevel admin", "$PROGRAMFILES", "SetShellVarContext all", "$DESKTOP", "MUI_ICON", "MUI_FINISHPAGE_RUN")
}

func TestScriptMachineScope(t *testing.T) {
	in := sampleInput(t, "amd64", "machine")
	in.Config.Windows.DesktopShortcut = true
	in.Config.GUI = true
	s := render(t, in)
	checkLines(t, s,
		`Target amd64-unicode`,
		`RequestExecutionLevel admin`,
		`InstallDir "$PROGRAMFILES64\Hello"`,
		`InstallDirRegKey HKLM `+key+` "InstallLocation"`,
		`SetShellVarContext all`,
		`WriteRegStr HKLM `+key+` "DisplayVersion" "1.2.3-rc.2"`,
		`DeleteRegKey HKLM `+key,
		`CreateShortcut "$DESKTOP\Hello.lnk" "$INSTDIR\hello.exe" "" "$INSTDIR\hello.exe" 0`,
		`Delete "$DESKTOP\Hello.lnk"`,
		`!define MUI_FINISHPAGE_RUN "$INSTDIR\hello.exe"`,
	)
	checkAbsent(t, s, "HKCU", "RequestExecutionLevel user", "$LOCALAPPDATA", "SetShellVarContext current")
}

func TestScriptArchitectures(t *testing.T) {
	s := render(t, sampleInput(t, "386", "machine"))
	checkLines(t, s, `Target x86-unicode`, `InstallDir "$PROGRAMFILES\Hello"`)
	checkAbsent(t, s, "amd64-unicode", "$PROGRAMFILES64")

	s = render(t, sampleInput(t, "arm64", "user"))
	checkLines(t, s, `Target amd64-unicode`)
	if !strings.Contains(s, "emulation") {
		t.Error("the arm64 script does not say that the installer runs under emulation")
	}
	if strings.Contains(render(t, sampleInput(t, "amd64", "user")), "emulation") {
		t.Error("the amd64 script talks about emulation")
	}

	if _, err := newScript(sampleInput(t, "mips", "user")); err == nil {
		t.Error("windows/mips: no error")
	}
}

func TestScriptFiles(t *testing.T) {
	in := sampleInput(t, "amd64", "user")
	in.Config.Icon = "icon.png"
	s := render(t, in)
	// One File /r of the app folder's copy in the work folder; each
	// installed file is deleted by name, folders only when empty.
	checkOrder(t, s, []string{
		`SetOutPath "$INSTDIR"`,
		`File /r "files/*"`,
		`WriteUninstaller "$INSTDIR\uninstall.exe"`,
	})
	checkOrder(t, s, []string{
		`Delete "$INSTDIR\LICENSE"`,
		`Delete "$INSTDIR\hello.exe"`,
		`Delete "$INSTDIR\docs\guide.txt"`,
		`Delete "$INSTDIR\docs\z-last.txt"`,
		`Delete "$INSTDIR\docs\img\logo.png"`,
		`Delete "$INSTDIR\zz\$$weird {name}.txt"`,
		`RMDir "$INSTDIR\zz"`,
		`RMDir "$INSTDIR\empty"`,
		`RMDir "$INSTDIR\docs\img"`,
		`RMDir "$INSTDIR\docs"`,
		`Delete "$INSTDIR\uninstall.exe"`,
		`RMDir "$INSTDIR"`,
	})
	checkLines(t, s,
		`!define MUI_ICON "icon.ico"`,
		`!define MUI_UNICON "icon.ico"`,
		`WriteRegStr HKCU `+key+` "DisplayIcon" "$INSTDIR\hello.exe,0"`,
	)
	checkAbsent(t, s, in.AppDir, in.WorkDir) // no machine-specific path: reproducible
}

// checkOrder checks that each line of want is in script, after the one
// before.
func checkOrder(t *testing.T, script string, want []string) {
	t.Helper()
	rest := script
	for _, w := range want {
		i := strings.Index(rest, "  "+w+"\n")
		if i < 0 {
			t.Fatalf("no line %s after the lines before it in:\n%s", w, script)
		}
		rest = rest[i+len(w):]
	}
}

func TestEscaping(t *testing.T) {
	for _, tt := range []struct{ in, str, lit string }{
		{"Hello", "Hello", "Hello"},
		{`a$b`, `a$$b`, `a${U+24}b`},
		{`say "hi"`, `say $\"hi$\"`, `say $\"hi$\"`},
		{`${NSISDIR}`, `${U+24}${U+24}{NSISDIR}`, `${U+24}{NSISDIR}`},
		{`$\"`, `${U+24}${U+24}\$\"`, `${U+24}\$\"`},
		{`$\n $\r $\t`, `${U+24}${U+24}\n ${U+24}${U+24}\r ${U+24}${U+24}\t`, `${U+24}\n ${U+24}\r ${U+24}\t`},
		{`$(^Name) $0 $$`, `$$(^Name) $$0 $$$$`, `${U+24}(^Name) ${U+24}0 ${U+24}${U+24}`},
		{`$"`, `$$$\"`, `${U+24}$\"`},
		{"two\nlines\ttab", "two lines tab", "two lines tab"},
		{`C:\path\`, `C:\path\`, `C:\path\`},
		{"© Ünïcödé", "© Ünïcödé", "© Ünïcödé"},
	} {
		if got := String(tt.in); got != tt.str {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.str)
		}
		if got := Literal(tt.in); got != tt.lit {
			t.Errorf("Literal(%q) = %q, want %q", tt.in, got, tt.lit)
		}
	}
}

func TestScriptEscapesTheName(t *testing.T) {
	in := sampleInput(t, "amd64", "user")
	in.Config.Name = nastyName
	in.Config.Publisher = `Pub "$1"`
	s := render(t, in)
	checkLines(t, s,
		`Name "Dollar $$HOME $\"Quoted$\" ${U+24}${U+24}{NSISDIR} $$(^Name) ${U+24}${U+24}\n & Co" "Dollar $$HOME $\"Quoted$\" ${U+24}${U+24}{NSISDIR} $$(^Name) ${U+24}${U+24}\n && Co"`,
		`VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "Dollar ${U+24}HOME $\"Quoted$\" ${U+24}{NSISDIR} ${U+24}(^Name) ${U+24}\n & Co"`,
		`VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "Pub $\"${U+24}1$\""`,
		`WriteRegStr HKCU `+key+` "Publisher" "Pub $\"$$1$\""`,
		// The folder and shortcut drop what Windows forbids in file names.
		`InstallDir "$LOCALAPPDATA\Programs\Dollar $$HOME Quoted ${U+24}${U+24}{NSISDIR} $$(^Name) $$n & Co"`,
		`CreateShortcut "$SMPROGRAMS\Dollar $$HOME Quoted ${U+24}${U+24}{NSISDIR} $$(^Name) $$n & Co.lnk" "$INSTDIR\hello.exe" "" "$INSTDIR\hello.exe" 0`,
	)
}

func TestFolderName(t *testing.T) {
	for in, want := range map[string]string{
		"Hello":               "Hello",
		`A/B\C:D*E?F"G<H>I|J`: "ABCDEFGHIJ",
		"Trailing dots...":    "Trailing dots",
		`"?"`:                 "hello",
		"CON":                 "hello",
		"nul.txt":             "hello",
		"COM1":                "hello",
		"Console":             "Console",
		"  many   spaces  ":   "many spaces",
	} {
		if got := folderName(in, "hello"); got != want {
			t.Errorf("folderName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBadFileNames(t *testing.T) {
	for _, name := range []string{"what?.txt", "a:b", "CON", "aux.txt", "dot.", "sp ", "tab\tname", "Uninstall.exe"} {
		in := sampleInput(t, "amd64", "user")
		if err := os.WriteFile(filepath.Join(in.AppDir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := newScript(in)
		if err == nil || exitcode.Of(err) != exitcode.Usage {
			t.Errorf("%q: err %v, want a configuration error", name, err)
		}
	}
	in := sampleInput(t, "amd64", "user")
	if err := os.WriteFile(filepath.Join(in.AppDir, "license"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newScript(in); err == nil || !strings.Contains(err.Error(), "ignores case") {
		t.Errorf("LICENSE and license: err %v", err)
	}
}

func TestFormat(t *testing.T) {
	f := Format{}
	if f.Name() != "nsis" || !f.Supports("windows") || f.Supports("linux") || f.Supports("darwin") {
		t.Error("nsis is for windows only")
	}
	if got := f.FileName(packager.Input{Stem: "hello_1.0.0_windows_amd64"}); got != "hello_1.0.0_windows_amd64_setup.exe" {
		t.Errorf("FileName = %s", got)
	}
	tools := f.Tools()
	if len(tools) != 1 || tools[0].Command != "makensis" || !strings.Contains(tools[0].Install(), "apt-get install nsis") {
		t.Errorf("Tools = %+v", tools)
	}
}

// TestPackageCompiles runs makensis on the script of an app whose name and
// files hold NSIS's special characters; exiftool (when installed) shows
// the version strings as written in bundle.yaml.
func TestPackageCompiles(t *testing.T) {
	testtool.Need(t, "nsis", "makensis")
	in := sampleInput(t, "amd64", "user")
	in.Config.Name = nastyName
	in.Config.Copyright = `© 2026 "$Corp"`
	var out bytes.Buffer
	if err := packagertest.Into(context.Background(), t, Format{}, in, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("MZ")) || out.Len() < 50_000 {
		t.Fatalf("not an installer: %d bytes", out.Len())
	}
	// Package ignores warnings; the script bundle writes has none.
	cmd := exec.Command("makensis", "-NOCD", "-V2", "-WX", "-INPUTCHARSET", "UTF8", scriptName)
	cmd.Dir = in.WorkDir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("makensis -WX: %v\n%s", err, b)
	}
	exiftool, err := exec.LookPath("exiftool")
	if err != nil {
		t.Log("exiftool is missing (apt-get install libimage-exiftool-perl): version strings not checked")
		return
	}
	exe := filepath.Join(t.TempDir(), "setup.exe")
	if err := os.WriteFile(exe, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(exiftool, "-s", "-ProductName", "-FileDescription", "-LegalCopyright", "-ProductVersionNumber", exe).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool: %v\n%s", err, b)
	}
	got := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			got[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	for k, want := range map[string]string{
		"ProductName":          nastyName,
		"FileDescription":      nastyName + " Setup",
		"LegalCopyright":       `© 2026 "$Corp"`,
		"ProductVersionNumber": "1.2.3.2",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

// TestPackageMakensisError: when makensis fails, the error holds what it
// printed. A stand-in makensis on PATH fails the way the real one does.
func TestPackageMakensisError(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	bin := t.TempDir()
	fake := "#!/bin/sh\necho 'Error in script \"installer.nsi\" on line 42 -- aborting creation process'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "makensis"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	in := sampleInput(t, "amd64", "user")
	var out bytes.Buffer
	err := packagertest.Into(context.Background(), t, Format{}, in, &out)
	if err == nil || !strings.Contains(err.Error(), "on line 42 -- aborting") {
		t.Fatalf("err = %v, want makensis's output in it", err)
	}
	script, _ := os.ReadFile(filepath.Join(in.WorkDir, scriptName))
	line42 := strings.TrimSpace(strings.Split(string(script), "\n")[41])
	if !strings.HasSuffix(err.Error(), "installer.nsi line 42: "+line42) {
		t.Errorf("err = %v, want it to quote line 42 (%s)", err, line42)
	}
	if out.Len() != 0 {
		t.Errorf("%d bytes written after a failure", out.Len())
	}
}

func TestCompressor(t *testing.T) {
	for _, tt := range []struct {
		size int64
		want string
	}{
		{0, "lzma"},
		{lzmaLimit, "lzma"},
		{lzmaLimit + 1, "zlib"},
		{500 << 20, "zlib"},
	} {
		if got := compressor(tt.size); got != tt.want {
			t.Errorf("compressor(%d) = %s, want %s", tt.size, got, tt.want)
		}
	}
}

// TestPackageHoldsEveryFile lists the installer with 7-Zip, which reads
// NSIS installers: File /r put every file of the app folder in it, under
// its path.
func TestPackageHoldsEveryFile(t *testing.T) {
	testtool.Need(t, "nsis 7zip", "makensis", "7zz")
	in := sampleInput(t, "amd64", "user")
	var out bytes.Buffer
	if err := packagertest.Into(context.Background(), t, Format{}, in, &out); err != nil {
		t.Fatal(err)
	}
	setup := filepath.Join(t.TempDir(), "setup.exe")
	if err := os.WriteFile(setup, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command("7zz", "l", "-slt", setup).CombinedOutput()
	if err != nil {
		t.Fatalf("7zz l: %v\n%s", err, b)
	}
	listed := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(l), "Path = "); ok {
			listed[strings.ReplaceAll(p, `\`, "/")] = true
		}
	}
	for _, want := range []string{"hello.exe", "LICENSE", "docs/guide.txt", "docs/img/logo.png", "docs/z-last.txt", "zz/$weird {name}.txt"} {
		if !listed[want] {
			t.Errorf("the installer does not hold %s:\n%s", want, b)
		}
	}
}

// TestPackageIntoHostileFolder: makensis writes the installer at dest
// whatever dest's folder is called; the folder's path never enters the
// script, where "$", quotes or a line break would change what it says.
func TestPackageIntoHostileFolder(t *testing.T) {
	testtool.Need(t, "nsis", "makensis")
	dir := filepath.Join(t.TempDir(), "dist $HOME ${X} \"q\" `x` ;\nnl\\")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, ".hello_1.0.0_windows_amd64_setup.exe.123.bundle-tmp")
	if err := os.WriteFile(dest, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	in := sampleInput(t, "amd64", "user")
	if err := (Format{}).Package(context.Background(), in, dest); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(dest)
	if err != nil || !bytes.HasPrefix(data, []byte("MZ")) || len(data) < 50_000 {
		t.Fatalf("no installer at dest: %d bytes, %v", len(data), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %v, want dest alone", entries)
	}
	bad := filepath.Join(t.TempDir(), "a b$.tmp")
	os.WriteFile(bad, nil, 0o600)
	if err := (Format{}).Package(context.Background(), sampleInput(t, "amd64", "user"), bad); err == nil {
		t.Error("a destination name the script would have to quote was accepted")
	}
}
