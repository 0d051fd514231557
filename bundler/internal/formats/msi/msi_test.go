package msi

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/internal/testexe"
	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/internal/winetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	winetest.Shutdown()
	os.Exit(code)
}

// exe returns a small Windows program for windows/amd64 that prints
// "tiny" and its arguments, or placeholder bytes when real is false.
func exe(t *testing.T, real bool) []byte {
	t.Helper()
	if !real {
		return []byte("MZ not a real program")
	}
	return testexe.Windows(t)
}

// input is a staged app with the executable, a file beside it, files in
// nested folders and an empty folder, configured for a per-user install.
func input(t *testing.T, realExe bool) packager.Input {
	t.Helper()
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	files := map[string][]byte{
		"hello.exe":         exe(t, realExe),
		"LICENSE":           []byte("MIT\n"),
		"docs/README.md":    []byte("# Hello\n"),
		"docs/img/logo.txt": []byte("logo\n"),
	}
	for rel, data := range files {
		p := filepath.Join(app, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(app, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	icon, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "testdata", "project", "assets", "icon.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "icon.png"), icon, 0o644); err != nil {
		t.Fatal(err)
	}
	return packager.Input{
		Config: config.Config{
			Name: "Hello", ID: "dev.bundlekit.hello", Binary: "hello", Publisher: "The bundle authors",
			Homepage: "https://example.com/hello", Description: "Says hello", Icon: "icon.png",
			Windows: config.Windows{InstallScope: "user"},
		},
		Dir: dir, Version: semver.MustParse("1.2.3"), Target: platform.Target{OS: "windows", Arch: "amd64"},
		AppDir: app, Exe: "hello.exe", Stem: "hello_1.2.3_windows_amd64",
		MTime: time.Unix(1767225600, 0).UTC(), WorkDir: t.TempDir(), Icons: icons.NewSet(filepath.Join(dir, "icon.png"), ""),
	}
}

// node is an element of the rendered WiX source.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// all returns every element called name under n, depth first.
func (n node) all(name string) []node {
	var out []node
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

func (n node) one(t *testing.T, name string) node {
	t.Helper()
	all := n.all(name)
	if len(all) != 1 {
		t.Fatalf("%d <%s> elements, want 1", len(all), name)
	}
	return all[0]
}

// source renders in's WiX source and parses it.
func source(t *testing.T, in packager.Input) ([]byte, node) {
	t.Helper()
	if _, err := prepare(in); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(in.WorkDir, wxsFile))
	if err != nil {
		t.Fatal(err)
	}
	var root node
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatalf("the WiX source is not XML: %v\n%s", err, data)
	}
	return data, root
}

func TestSourcePerUser(t *testing.T) {
	in := input(t, false)
	data, wix := source(t, in)

	p := wix.one(t, "Product")
	if got, want := p.attr("UpgradeCode"), "3343164D-E1BB-5571-8B7F-40F687A85EE4"; got != want {
		t.Errorf("UpgradeCode %s, want %s (changing it breaks upgrades of every released app)", got, want)
	}
	if got, want := p.attr("Id"), guid(ProductCode(UpgradeCode("dev.bundlekit.hello", "hello"), "1.2.3")); got != want {
		t.Errorf("ProductCode %s, want %s", got, want)
	}
	if p.attr("Version") != "1.2.3" || p.attr("Manufacturer") != "The bundle authors" || p.attr("Name") != "Hello" {
		t.Errorf("Product attributes: %v", p.Attrs)
	}
	if got := wix.one(t, "Package").attr("InstallScope"); got != "perUser" {
		t.Errorf("InstallScope %s", got)
	}
	props := map[string]string{}
	for _, pr := range wix.all("Property") {
		props[pr.attr("Id")] = pr.attr("Value")
	}
	if props["ARPPRODUCTICON"] != "AppIcon.ico" || props["ARPURLINFOABOUT"] != "https://example.com/hello" || props["ARPNOMODIFY"] != "1" {
		t.Errorf("properties: %v", props)
	}
	if wix.one(t, "Icon").attr("SourceFile") != "app.ico" {
		t.Error("no icon")
	}
	if _, err := os.Stat(filepath.Join(in.WorkDir, "app.ico")); err != nil {
		t.Error(err)
	}
	if wix.one(t, "MajorUpgrade").attr("DowngradeErrorMessage") == "" {
		t.Error("no downgrade message")
	}

	// LocalAppDataFolder\Programs\Hello.
	var path []string
	for _, d := range wix.all("Directory") {
		if d.attr("Id") == "LocalAppDataFolder" {
			for n := d; ; {
				sub := slices.IndexFunc(n.Nodes, func(c node) bool { return c.XMLName.Local == "Directory" })
				if sub < 0 {
					break
				}
				n = n.Nodes[sub]
				path = append(path, n.attr("Name"))
				if n.attr("Id") == "INSTALLDIR" {
					break
				}
			}
		}
	}
	if strings.Join(path, `\`) != `Programs\Hello` {
		t.Errorf("install folder %q, want Programs\\Hello under LocalAppDataFolder", path)
	}

	// Every app file once, every component with one HKCU key path, in the
	// feature, with unique ids and GUIDs.
	var names []string
	for _, f := range wix.all("File") {
		names = append(names, f.attr("Name"))
		if f.attr("KeyPath") != "" {
			t.Errorf("file %s is a key path in a per-user package", f.attr("Name"))
		}
	}
	slices.Sort(names)
	if want := []string{"LICENSE", "README.md", "hello.exe", "logo.txt"}; !slices.Equal(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
	refs := map[string]bool{}
	for _, r := range wix.one(t, "Feature").all("ComponentRef") {
		refs[r.attr("Id")] = true
	}
	ids, guids := map[string]bool{}, map[string]bool{}
	comps := wix.all("Component")
	for _, c := range comps {
		id := c.attr("Id")
		if ids[id] || guids[c.attr("Guid")] {
			t.Errorf("component %s: id or GUID repeats", id)
		}
		ids[id], guids[c.attr("Guid")] = true, true
		if !refs[id] {
			t.Errorf("component %s is in no feature", id)
		}
		if c.attr("Win64") != "yes" {
			t.Errorf("component %s: Win64=%q", id, c.attr("Win64"))
		}
		var keys []node
		for _, r := range c.all("RegistryValue") {
			if r.attr("KeyPath") == "yes" {
				keys = append(keys, r)
			}
		}
		if len(keys) != 1 || keys[0].attr("Root") != "HKCU" || !strings.HasPrefix(keys[0].attr("Key"), `Software\The bundle authors\Hello`) {
			t.Errorf("component %s: key paths %v, want one HKCU value", id, keys)
		}
	}
	if len(comps) != 4+1+1 { // the files, the empty folder, the shortcut
		t.Errorf("%d components, want 6", len(comps))
	}

	// A RemoveFolder in every folder the package creates; the empty one
	// is created.
	if n := len(wix.all("RemoveFolder")); n != 4 {
		t.Errorf("%d RemoveFolder elements, want 4 (the app folder, docs, docs\\img, empty)", n)
	}
	if n := len(wix.all("CreateFolder")); n != 1 {
		t.Errorf("%d CreateFolder elements, want 1 (empty)", n)
	}

	// The Start Menu shortcut starts the executable; no desktop shortcut.
	sc := wix.one(t, "Shortcut")
	var exeID string
	for _, f := range wix.all("File") {
		if f.attr("Name") == "hello.exe" {
			exeID = f.attr("Id")
		}
	}
	if sc.attr("Target") != "[#"+exeID+"]" || sc.attr("Name") != "Hello" || sc.attr("Description") != "Says hello" {
		t.Errorf("shortcut %v", sc.Attrs)
	}
	if bytes.Contains(data, []byte("DesktopFolder")) {
		t.Error("a desktop shortcut without desktop_shortcut")
	}

	// Stable: the same input renders the same source.
	again := in
	again.WorkDir = t.TempDir()
	if data2, _ := source(t, again); !bytes.Equal(data, data2) {
		t.Error("two renderings of the same input differ")
	}
}

func TestSourcePerMachine(t *testing.T) {
	for _, tc := range []struct{ arch, programFiles, win64 string }{
		{"amd64", "ProgramFiles64Folder", "yes"},
		{"386", "ProgramFilesFolder", "no"},
	} {
		t.Run(tc.arch, func(t *testing.T) {
			in := input(t, false)
			in.Target.Arch = tc.arch
			in.Config.Windows = config.Windows{InstallScope: "machine", DesktopShortcut: true}
			data, wix := source(t, in)
			if got := wix.one(t, "Package").attr("InstallScope"); got != "perMachine" {
				t.Errorf("InstallScope %s", got)
			}
			if bytes.Contains(data, []byte("LocalAppDataFolder")) || !bytes.Contains(data, []byte(`<Directory Id="`+tc.programFiles+`">`)) {
				t.Errorf("not installed into %s", tc.programFiles)
			}
			for _, f := range wix.all("File") {
				if f.attr("KeyPath") != "yes" {
					t.Errorf("file %s is not its component's key path", f.attr("Name"))
				}
			}
			for _, c := range wix.all("Component") {
				if c.attr("Win64") != tc.win64 {
					t.Errorf("component %s: Win64=%q, want %q", c.attr("Id"), c.attr("Win64"), tc.win64)
				}
			}
			for _, r := range wix.all("RegistryValue") {
				if r.attr("Root") != "HKLM" {
					t.Errorf("registry value %v is not under HKLM", r.Attrs)
				}
			}
			var folders []string
			for _, s := range wix.all("Shortcut") {
				folders = append(folders, s.attr("Id"))
			}
			if !slices.Equal(folders, []string{"StartMenuShortcut", "DesktopShortcut"}) {
				t.Errorf("shortcuts %q", folders)
			}
		})
	}
}

// TestSourceEscaping: markup, formatted-string brackets and "$" in names
// survive XML, Windows Installer and wixl's preprocessor.
func TestSourceEscaping(t *testing.T) {
	in := input(t, false)
	const name = `Tom & "Jerry's" <Tools> [beta] $5 $$`
	in.Config.Name = name
	in.Config.Publisher = `Acme\Labs`
	_, wix := source(t, in)
	if got := wix.one(t, "Product").attr("Name"); got != wixlText(name) {
		t.Errorf("Name %q, want %q", got, wixlText(name))
	}
	var installDir string
	for _, d := range wix.all("Directory") {
		if d.attr("Id") == "INSTALLDIR" {
			installDir = d.attr("Name")
		}
	}
	if want := wixlText(`Tom & _Jerry's_ _Tools_ [beta] $5 $$`); installDir != want {
		t.Errorf("folder %q, want %q", installDir, want)
	}
	for _, r := range wix.all("RegistryValue") {
		if !strings.HasPrefix(r.attr("Key"), wixlText(`Software\Acme_Labs\Tom & "Jerry's" <Tools> [\[]beta[\]] $5 $$`)) {
			t.Errorf("registry key %q", r.attr("Key"))
		}
	}

	testtool.Need(t, "wixl msitools", "wixl", "msiinfo")
	arch, err := prepare(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("wixl", "-a", arch, "-o", msiFile, wxsFile)
	cmd.Dir = in.WorkDir
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("wixl: %v\n%s", err, out)
	}
	props := export(t, filepath.Join(in.WorkDir, msiFile), "Property")
	if !strings.Contains(props, "ProductName\t"+name+"\r\n") && !strings.Contains(props, "ProductName\t"+name+"\n") {
		t.Errorf("ProductName is not %q:\n%s", name, props)
	}
	if dirs := export(t, filepath.Join(in.WorkDir, msiFile), "Directory"); !strings.Contains(dirs, `Tom & _Jerry's_ _Tools_ [beta] $5 $$`) {
		t.Errorf("install folder:\n%s", dirs)
	}
}

// msiFile is where the tests that run wixl themselves have it write.
const msiFile = "product.msi"

// TestWixlText checks the "$" rule against wixl's preprocessor.
func TestWixlText(t *testing.T) {
	testtool.Need(t, "wixl msitools", "wixl")
	for _, s := range []string{"US$5", "a $ b", "$$", "x$$$y", "end$", "$", "no dollars"} {
		wxs := `<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi"><Product Name="` + wixlText(s) + `"/></Wix>` + "\n"
		p := filepath.Join(t.TempDir(), "t.wxs")
		os.WriteFile(p, []byte(wxs), 0o644)
		out, err := exec.Command("wixl", "-E", p).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", s, err, out)
		}
		if want := `Name="` + s + `"`; !strings.Contains(string(out), want) {
			t.Errorf("%q came out as %s", s, out)
		}
	}
}

func TestCodes(t *testing.T) {
	up := UpgradeCode("dev.bundlekit.hello", "hello")
	if up != UpgradeCode("dev.bundlekit.hello", "other") {
		t.Error("the UpgradeCode depends on the binary when there is an id")
	}
	if UpgradeCode("", "hello") == up || UpgradeCode("", "hello") != UpgradeCode("", "hello") {
		t.Error("the binary's UpgradeCode is not stable or equals the id's")
	}
	if ProductCode(up, "1.2.3") != ProductCode(up, "1.2.3") || ProductCode(up, "1.2.3") == ProductCode(up, "1.2.4") {
		t.Error("the ProductCode does not follow the version")
	}
	pv, _ := productVersion(semver.MustParse("1.2.3-rc.1"))
	if pv != "1.2.3" {
		t.Errorf("ProductVersion of 1.2.3-rc.1: %s", pv)
	}
}

// TestRefusals: what wixl cannot build is refused with one line and exit
// 2 before wixl runs.
func TestRefusals(t *testing.T) {
	limits := "(limits: major ≤ 255, minor ≤ 255, patch ≤ 65535)"
	tests := []struct {
		name   string
		change func(in *packager.Input)
		want   []string
	}{
		{"arm64", func(in *packager.Input) { in.Target.Arch = "arm64" },
			[]string{"msi: wixl cannot build arm64 MSI packages; drop msi for windows/arm64 or use nsis"}},
		{"major", func(in *packager.Input) { in.Version = semver.MustParse("256.0.0") },
			[]string{"version 256.0.0: MSI ProductVersion allows a major version of at most 255", limits}},
		{"minor", func(in *packager.Input) { in.Version = semver.MustParse("1.256.0") },
			[]string{"version 1.256.0: MSI ProductVersion allows a minor version of at most 255", limits}},
		{"patch", func(in *packager.Input) { in.Version = semver.MustParse("1.0.65536") },
			[]string{"version 1.0.65536: MSI ProductVersion allows a patch version of at most 65535", limits}},
		{"cjk", func(in *packager.Input) { in.Config.Name = "こんにちは" },
			[]string{`msi: name "こんにちは" has characters wixl cannot write`, "Windows-1252"}},
		{"preprocessor", func(in *packager.Input) { in.Config.Description = "costs $(PRICE)" },
			[]string{`msi: description "costs $(PRICE)" holds "$("`}},
		{"colon", func(in *packager.Input) { os.WriteFile(filepath.Join(in.AppDir, "a:b.txt"), nil, 0o644) },
			[]string{"msi: app file a:b.txt has a character Windows does not allow"}},
		{"device", func(in *packager.Input) { os.WriteFile(filepath.Join(in.AppDir, "docs", "con.txt"), nil, 0o644) },
			[]string{"msi: app file docs/con.txt has a name Windows reserves"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := input(t, false)
			tc.change(&in)
			dest := filepath.Join(t.TempDir(), "out.msi")
			if err := os.WriteFile(dest, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			err := Format{}.Package(context.Background(), in, dest)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") || exitcode.Of(err) != exitcode.Usage {
				t.Errorf("not a one-line exit-2 error: %q (exit %d)", err, exitcode.Of(err))
			}
			if info, statErr := os.Stat(dest); statErr != nil || info.Size() > 0 {
				t.Error("wixl ran")
			}
			if tc.name != "colon" && tc.name != "device" { // file names are known only once staged
				if cerr := (Format{}).Check(in.Config, in.Target, in.Version); cerr == nil || cerr.Error() != err.Error() {
					t.Errorf("Check: %v, want Package's error", cerr)
				}
			}
		})
	}
	in := input(t, false)
	in.Version = semver.MustParse("255.255.65535")
	if err := (Format{}).Check(in.Config, in.Target, in.Version); err != nil {
		t.Errorf("255.255.65535: %v", err)
	}
}

func export(t *testing.T, msi, table string) string {
	t.Helper()
	cmd := exec.Command("msiinfo", "export", msi, table)
	cmd.Dir = t.TempDir() // tables with binary streams (Icon) write them into the working directory
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("msiinfo export %s: %v", table, err)
	}
	return string(out)
}

func suminfo(t *testing.T, msi string) []byte {
	t.Helper()
	out, err := exec.Command("msiinfo", "suminfo", msi).Output()
	if err != nil {
		t.Fatalf("msiinfo suminfo: %v", err)
	}
	return out
}

// revision is the PackageCode msiinfo suminfo prints.
func revision(t *testing.T, sum []byte) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Revision number \(UUID\): (\S+)$`).FindSubmatch(sum)
	if m == nil {
		t.Fatalf("suminfo has no revision number:\n%s", sum)
	}
	return string(m[1])
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

func build(t *testing.T, in packager.Input) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), Format{}.FileName(in))
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (Format{}).Package(context.Background(), in, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWixl builds packages with wixl and reads them back with msiinfo.
func TestWixl(t *testing.T) {
	testtool.Need(t, "wixl msitools", "wixl", "msiinfo")
	in := input(t, false)
	arch, err := prepare(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("wixl", "-a", arch, "-o", msiFile, wxsFile)
	cmd.Dir = in.WorkDir
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("wixl printed warnings or failed: %v\n%s", err, out)
	}

	a := build(t, in)
	props := export(t, a, "Property")
	for _, want := range []string{"ProductVersion\t1.2.3", "UpgradeCode\t{3343164D-E1BB-5571-8B7F-40F687A85EE4}", "ARPPRODUCTICON\tAppIcon.ico", "ARPNOMODIFY\t1"} {
		if !strings.Contains(props, want) {
			t.Errorf("Property lacks %q:\n%s", want, props)
		}
	}
	if strings.Contains(props, "ALLUSERS") {
		t.Error("ALLUSERS in a per-user package")
	}
	if files := export(t, a, "File"); strings.Count(files, "\t512\t") != 4 {
		t.Errorf("File table:\n%s", files)
	}
	if rf := export(t, a, "RemoveFile"); strings.Count(rf, "\t2\r\n")+strings.Count(rf, "\t2\n") != 4 {
		t.Errorf("RemoveFile table:\n%s", rf)
	}
	sum, _ := exec.Command("msiinfo", "suminfo", a).Output()
	if !strings.Contains(string(sum), "Template: x64;1033") || !strings.Contains(string(sum), "Subject: Hello 1.2.3 installer") {
		t.Errorf("suminfo:\n%s", sum)
	}

	// Two builds of the same input, in different seconds, are the same
	// bytes: the PackageCode and the times come from the input, not from
	// chance and the clock.
	time.Sleep(1100 * time.Millisecond)
	again := in
	again.WorkDir = t.TempDir()
	if b := build(t, again); !sameFile(t, a, b) {
		t.Error("two builds of the same input differ")
	}
	created := "Created: " + in.MTime.Local().Format("Mon Jan _2 15:04:05 2006") // msiinfo prints ctime(3)
	if !strings.Contains(string(sum), created) || !strings.Contains(string(sum), "Last saved: "+strings.TrimPrefix(created, "Created: ")) {
		t.Errorf("suminfo times are not the source time %s:\n%s", in.MTime, sum)
	}
	code := revision(t, sum)
	if !regexp.MustCompile(`^\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$`).MatchString(code) {
		t.Errorf("PackageCode %q is not a GUID", code)
	}
	// Another version, or other content, is another package.
	other := in
	other.WorkDir = t.TempDir()
	other.Version = semver.MustParse("1.2.4")
	if c := revision(t, suminfo(t, build(t, other))); c == code {
		t.Error("a new version kept the PackageCode")
	}
	if err := os.WriteFile(filepath.Join(in.AppDir, "docs", "README.md"), []byte("# Changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed := in
	changed.WorkDir = t.TempDir()
	if c := revision(t, suminfo(t, build(t, changed))); c == code {
		t.Error("changed content kept the PackageCode")
	}

	// Per-machine, 32-bit.
	in.Target.Arch = "386"
	in.Config.Windows.InstallScope = "machine"
	in.WorkDir = t.TempDir()
	m := build(t, in)
	if props := export(t, m, "Property"); !strings.Contains(props, "ALLUSERS\t1") {
		t.Errorf("no ALLUSERS=1 in a per-machine package:\n%s", props)
	}
	sum, _ = exec.Command("msiinfo", "suminfo", m).Output()
	if !strings.Contains(string(sum), "Template: Intel;1033") {
		t.Errorf("suminfo of the 386 package:\n%s", sum)
	}
}

// TestWinePerMachine installs a per-machine package with a desktop
// shortcut, files in sub-folders and an empty folder under Wine, runs the
// program and uninstalls it.
func TestWinePerMachine(t *testing.T) {
	testtool.Need(t, "wixl msitools", "wixl")
	w := winetest.Require(t)
	in := input(t, true)
	in.Config.Windows = config.Windows{InstallScope: "machine", DesktopShortcut: true}
	in.Config.Name = "Msi Machine Test"
	in.Config.ID = "dev.bundlekit.msi-machine-test"
	msi := build(t, in)

	// Wine links the prefix's Desktop to $HOME; the shortcut goes into a
	// folder of the prefix instead.
	desktops, _ := filepath.Glob(filepath.Join(w.Prefix, "drive_c", "users", "*", "Desktop"))
	for _, d := range desktops {
		if info, err := os.Lstat(d); err == nil && info.Mode()&os.ModeSymlink != 0 {
			if err := os.Remove(d); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}

	if out, code := w.Run(t, time.Minute, "msiexec", "/i", winetest.Path(msi), "/qn"); code != 0 {
		t.Fatalf("msiexec /i: exit %d\n%s", code, out)
	}
	dir := filepath.Join(w.Prefix, "drive_c", "Program Files", "Msi Machine Test")
	for _, rel := range []string{"hello.exe", "LICENSE", "docs/README.md", "docs/img/logo.txt", "empty"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	if out, _ := w.Run(t, time.Minute, `C:\Program Files\Msi Machine Test\hello.exe`, "ok"); !strings.Contains(out, "tiny [ok]") {
		t.Errorf("the installed program printed %q", out)
	}
	var links []string
	filepath.WalkDir(filepath.Join(w.Prefix, "drive_c"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "Msi Machine Test.lnk" {
			links = append(links, p)
		}
		return nil
	})
	if len(links) != 2 {
		t.Errorf("shortcuts %q, want the Start Menu's and the desktop's", links)
	}

	if out, code := w.Run(t, time.Minute, "msiexec", "/x", winetest.Path(msi), "/qn"); code != 0 {
		t.Fatalf("msiexec /x: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the install folder is still there: %v", err)
	}
	for _, l := range links {
		if _, err := os.Stat(l); !os.IsNotExist(err) {
			t.Errorf("shortcut %s is still there", l)
		}
	}
}
