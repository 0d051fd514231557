package nsis

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf16"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/version"
	"github.com/bundlekit/bundle/templates/text"
)

// Script is what installer.nsi.tmpl is rendered with. Every text that
// comes from the project is escaped here, for the kind of NSIS string it
// goes into, so the template never escapes anything itself.
type Script struct {
	Target       string // makensis Target: amd64-unicode or x86-unicode
	Arch         string // GOARCH of the app
	Machine      bool   // install for every user
	Root         string // registry root of the uninstall key: HKCU or HKLM
	ProgramFiles string // $PROGRAMFILES64, or $PROGRAMFILES for a 32-bit app
	Version4     string // VIProductVersion, four numbers
	Icon         string // the .ico for MUI_ICON, relative to the work folder; "" for NSIS's own
	OutFile      string // the installer, relative to the work folder (set by Package)
	Desktop      bool   // a desktop shortcut too
	RunAfter     bool   // the finish page offers to start the app (GUI apps)
	SignScript   string // a script in the work folder that signs the uninstaller; "" when nothing is signed
	Compressor   string // SetCompressor /SOLID argument: lzma, or zlib for a big payload (compressor)
	Payload      string // the folder, relative to the work folder, that mirrors the app folder for File /r
	Str          Strings
	Lit          Literals
	Dirs         []Dir    // the app's folders, the top one ("") first, each with its files
	RemoveDirs   []string // sub-folders, deepest first, escaped as Str
}

// Strings are escaped for NSIS strings that the installer expands when it
// runs (Name, WriteRegStr, CreateShortcut …).
type Strings struct {
	Name         string // display name
	NameAmp      string // display name with & doubled, for Name's second argument
	Folder       string // the install folder's and the shortcuts' name: Name without what Windows forbids in a file name
	Version      string // full semantic version
	Publisher    string
	Homepage     string
	UninstallKey string // Software\Microsoft\Windows\CurrentVersion\Uninstall\<id or binary>
	Exe          string // the executable's file name
	DisplayIcon  string // the file whose first icon Add/Remove Programs shows
}

// Literals are escaped for strings makensis stores as written
// (VIAddVersionKey values).
type Literals struct {
	Name      string
	Publisher string
	Version   string
	Copyright string
}

// Dir is one folder of the app and the files right in it.
type Dir struct {
	Str   string // path below $INSTDIR with backslashes, escaped; "" for the top
	Files []File
}

// File is one file of the app.
type File struct {
	Str  string // file name, escaped
	Path string // path below $INSTDIR with backslashes, escaped
}

// newScript describes the installer of in.
func newScript(in packager.Input) (*Script, error) {
	c := in.Config
	if err := checkTexts(c); err != nil {
		return nil, err
	}
	s := &Script{Arch: in.Target.Arch, Payload: filesDir, Desktop: c.Windows.DesktopShortcut, RunAfter: c.GUI}
	switch in.Target.Arch {
	case "amd64", "arm64":
		// NSIS has no arm64 stub. An x64 installer runs on Windows on ARM
		// under emulation and installs the arm64 executable as it is.
		s.Target, s.ProgramFiles = "amd64-unicode", "$PROGRAMFILES64"
	case "386":
		s.Target, s.ProgramFiles = "x86-unicode", "$PROGRAMFILES"
	default:
		return nil, fmt.Errorf("no NSIS installer for windows/%s", in.Target.Arch)
	}
	s.Machine = c.Windows.InstallScope == "machine"
	s.Root = "HKCU"
	if s.Machine {
		s.Root = "HKLM"
	}
	v4, err := version.WindowsFile(in.Version)
	if err != nil {
		return nil, exitcode.Config(err)
	}
	s.Version4 = version.WindowsFileString(v4)
	if c.Icon != "" {
		s.Icon = iconName
	}

	key := c.ID
	if key == "" {
		key = c.Binary
	}
	publisher := c.Publisher
	if publisher == "" {
		publisher = c.Name
	}
	copyright := c.Copyright
	if copyright == "" {
		copyright = fmt.Sprintf("© %d %s", in.MTime.Year(), publisher)
	}
	displayIcon := in.Exe // bundle links the icon into the executable
	if c.Icon == "" {
		displayIcon = "uninstall.exe" // NSIS's icon
	}
	s.Str = Strings{
		Name:         String(c.Name),
		NameAmp:      String(strings.ReplaceAll(c.Name, "&", "&&")),
		Folder:       String(folderName(c.Name, c.Binary)),
		Version:      String(in.Version.String()),
		Publisher:    String(publisher),
		Homepage:     String(c.Homepage),
		UninstallKey: String(`Software\Microsoft\Windows\CurrentVersion\Uninstall\` + key),
		Exe:          String(in.Exe),
		DisplayIcon:  String(displayIcon),
	}
	s.Lit = Literals{
		Name:      Literal(c.Name),
		Publisher: Literal(publisher),
		Version:   Literal(in.Version.String()),
		Copyright: Literal(copyright),
	}
	size, err := s.listFiles(in.AppDir)
	if err != nil {
		return nil, err
	}
	s.Compressor = compressor(size)
	return s, nil
}

// lzmaLimit is the largest payload (bytes of the app's files) compressed
// with LZMA. makensis's LZMA runs at about 1.2 MB/s of CPU on incompressible
// data (20 MB: 17.6 s, where zlib takes 0.9 s and bzip2 2.9 s; 45 MB of Go
// executables: 35 s and 17.9 MB with LZMA, 6.5 s and 21.8 MB with zlib), so
// a 500 MB payload took minutes. Up to the limit LZMA's smaller installer
// costs under a minute; above it zlib keeps the build time a few seconds
// per 100 MB.
const lzmaLimit = 64 << 20

// compressor is the SetCompressor of a payload of size bytes.
func compressor(size int64) string {
	if size > lzmaLimit {
		return "zlib"
	}
	return "lzma"
}

// listFiles fills Dirs and RemoveDirs from the staged app folder and
// returns the size of its files.
func (s *Script) listFiles(appDir string) (int64, error) {
	seen := map[string]string{} // lower-case path -> path: Windows file names ignore case
	var sub []string
	var size int64
	err := filepath.WalkDir(appDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(appDir, p)
		if err != nil {
			return err
		}
		if rel == "." {
			s.Dirs = append(s.Dirs, Dir{})
			return nil
		}
		rel = filepath.ToSlash(rel)
		if err := checkWindowsPath(rel); err != nil {
			return err
		}
		if other, ok := seen[strings.ToLower(rel)]; ok {
			return exitcode.Config(fmt.Errorf("files: %s and %s are the same file on Windows, which ignores case in file names; rename one", other, rel))
		}
		seen[strings.ToLower(rel)] = rel
		if strings.EqualFold(rel, "uninstall.exe") {
			return exitcode.Config(fmt.Errorf("files: %s would be overwritten by the installer's own uninstall.exe; rename it", rel))
		}
		win := String(strings.ReplaceAll(rel, "/", `\`))
		switch {
		case d.IsDir():
			s.Dirs = append(s.Dirs, Dir{Str: win})
			sub = append(sub, win)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			size += info.Size()
			f := File{Str: String(path.Base(rel)), Path: win}
			// WalkDir lists a folder's files right after the folder
			// itself, so they belong to the last Dir, but a folder's
			// sub-folders come before its later files: find the folder.
			parent := String(strings.ReplaceAll(path.Dir(rel), "/", `\`))
			if parent == "." {
				parent = ""
			}
			for i := len(s.Dirs) - 1; i >= 0; i-- {
				if s.Dirs[i].Str == parent {
					s.Dirs[i].Files = append(s.Dirs[i].Files, f)
					break
				}
			}
		default:
			return fmt.Errorf("app folder: %s is not a regular file", rel)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for i := len(sub) - 1; i >= 0; i-- { // children come after their parents in WalkDir
		s.RemoveDirs = append(s.RemoveDirs, sub[i])
	}
	return size, nil
}

// String escapes s for a double-quoted NSIS string that the installer
// expands when it runs: $ becomes $$ and " becomes $\". makensis reads
// ${…} (a define) and $\n, $\r, $\t, $\" (escapes) before it pairs $$, so
// a $ right before "{" or "\" becomes ${U+24}${U+24} instead: two dollar
// signs that makensis writes only after those steps, which the installer
// turns into one. Line breaks and tabs become spaces: every value is one
// line.
func String(s string) string {
	rs := []rune(oneLine(s))
	var b strings.Builder
	for i, r := range rs {
		switch {
		case r == '$' && i+1 < len(rs) && (rs[i+1] == '{' || rs[i+1] == '\\'):
			b.WriteString("${U+24}${U+24}")
		case r == '$':
			b.WriteString("$$")
		case r == '"':
			b.WriteString(`$\"`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Literal escapes s for a double-quoted NSIS string that makensis keeps as
// written, such as a VIAddVersionKey value: there $$ would stay two dollar
// signs, so $ is written as ${U+24}, which makensis turns into one "$"
// without expanding what follows. " becomes $\".
func Literal(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		switch r {
		case '$':
			b.WriteString("${U+24}")
		case '"':
			b.WriteString(`$\"`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oneLine puts s on one line (text.Line): a line break would end the
// instruction and start another.
func oneLine(s string) string { return text.Line(s) }

// folderName is name without the characters Windows forbids in a file
// name, for the install folder and the shortcuts; binary when nothing
// usable is left.
func folderName(name, binary string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`<>:"/\|?*`, r) {
			return -1
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	name = strings.TrimRight(name, ". ")
	if name == "" || reserved(name) {
		return binary
	}
	return name
}

// checkWindowsPath reports a path of the app that Windows cannot hold.
func checkWindowsPath(rel string) error {
	for _, elem := range strings.Split(rel, "/") {
		switch {
		case strings.ContainsAny(elem, `<>:"\|?*`) || strings.IndexFunc(elem, func(r rune) bool { return r < 0x20 }) >= 0:
			return exitcode.Config(fmt.Errorf(`files: %q cannot be installed on Windows: file names there cannot hold < > : " \ | ? * or control characters; rename it (dst: in bundle.yaml)`, rel))
		case strings.HasSuffix(elem, ".") || strings.HasSuffix(elem, " "):
			return exitcode.Config(fmt.Errorf("files: %q cannot be installed on Windows: file names there cannot end in a dot or a space; rename it (dst: in bundle.yaml)", rel))
		case reserved(elem):
			return exitcode.Config(fmt.Errorf("files: %q cannot be installed on Windows: %s is a reserved device name there; rename it (dst: in bundle.yaml)", rel, elem))
		}
	}
	return nil
}

// reserved reports whether name is a DOS device name (CON, NUL, COM1 …),
// with or without an extension.
func reserved(name string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	base = strings.TrimRight(base, " ")
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '0' && base[3] <= '9' {
		return true
	}
	return false
}

// maxString is the longest string, in UTF-16 units, an installer made by
// the stock makensis (NSIS_MAX_STRLEN 1024, with the terminating NUL)
// holds at run time: it cuts longer ones off without a warning.
const maxString = 1023

// checkTexts refuses texts the installer would cut off.
func checkTexts(c config.Config) error {
	for _, t := range []struct{ field, value string }{
		{"name", c.Name}, {"publisher", c.Publisher}, {"homepage", c.Homepage}, {"copyright", c.Copyright},
		{"id", `Software\Microsoft\Windows\CurrentVersion\Uninstall\` + c.ID},
	} {
		if n := len(utf16.Encode([]rune(text.Line(t.value)))); n > maxString {
			return exitcode.Config(fmt.Errorf("nsis: %s is %d characters long, but NSIS installers hold strings of at most %d; shorten it", t.field, n, maxString))
		}
	}
	return nil
}
