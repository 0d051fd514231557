package msi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"
	"github.com/google/uuid"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/templates/text"
)

// upgradeNamespace is the UUIDv5 namespace of every UpgradeCode bundle
// makes. It was generated once at random and must never change: a new
// value would give every app a new UpgradeCode, and Windows would install
// the next release beside the old one instead of replacing it.
var upgradeNamespace = uuid.MustParse("bad11c8c-e203-44e0-8aab-1c4122cd9e43")

// UpgradeCode is the app's UpgradeCode: a UUIDv5 of its id, or of
// "binary:<binary>" when it has none (the prefix keeps a binary name from
// ever meaning the same as an id).
func UpgradeCode(id, binary string) uuid.UUID {
	seed := id
	if seed == "" {
		seed = "binary:" + binary
	}
	return uuid.NewSHA1(upgradeNamespace, []byte(seed))
}

// ProductCode is the ProductCode of one ProductVersion of the app.
func ProductCode(upgrade uuid.UUID, productVersion string) uuid.UUID {
	return uuid.NewSHA1(upgrade, []byte("product:"+productVersion))
}

// guid formats a UUID as WiX and MSI write GUIDs.
func guid(u uuid.UUID) string { return strings.ToUpper(u.String()) }

// AppKey is the registry key, below HKCU or HKLM, under which an install
// from the app's MSI records InstallDir: how runtimehooks/update tells an
// MSI install from a portable folder.
func AppKey(c config.Config) string {
	name, manufacturer := text.Line(c.Name), text.Line(c.Publisher)
	if manufacturer == "" || manufacturer == name {
		return `Software\` + regName(name)
	}
	return `Software\` + regName(manufacturer) + `\` + regName(name)
}

// product is the data of templates/windows/product.wxs.tmpl.
type product struct {
	ProductCode, UpgradeCode, Version string
	Name, Manufacturer                string
	Summary, Comments                 string // the summary information's Subject and Comments
	Homepage                          string
	Icon                              string // the .ico's path relative to the work folder, "" for none
	Scope                             string // perUser or perMachine
	PerUser                           bool
	ProgramFiles                      string // the Program Files folder property for perMachine
	Root                              *folder
	Shortcuts                         []shortcut
	ComponentIDs                      []string
}

type folder struct {
	ID, Name   string
	Components []*component
	Dirs       []*folder
	rel        string // the path inside the app, "." for the app folder
}

type component struct {
	ID, GUID, Win64 string
	File            *file     // nil for a component that only creates its folder
	KeyPath         *regValue // nil when the file (or the folder) is the key path
	Values          []regValue
	RemoveFolder    string // RemoveFile id, "" for none
}

type file struct{ ID, Name, Source string }

type regValue struct{ Root, Key, Name, Type, Value string }

type shortcut struct {
	ID, Component, GUID, Win64 string
	Folder                     string // ProgramMenuFolder or DesktopFolder
	Name, Description          string
	Target                     string // the executable's File id
	KeyPath                    regValue
}

// describe lays out the package: the app folder's files as components, the
// shortcuts and the product's codes and texts. It copies the files into
// in.WorkDir/src with in.MTime, which the cabinet records, and writes the
// icon there.
func describe(in packager.Input, arch, productVersion string) (*product, error) {
	c := in.Config
	if err := checkTexts(c); err != nil {
		return nil, err
	}
	upgrade := UpgradeCode(c.ID, c.Binary)
	// Every text is one line: MSI tables and the summary information
	// hold text cells, and a description's first line sums it up.
	name, desc := text.Line(c.Name), text.Synopsis(c.Description)
	manufacturer := text.Line(c.Publisher)
	if manufacturer == "" {
		manufacturer = name
	}
	scope := "perUser"
	if c.Windows.InstallScope == "machine" {
		scope = "perMachine"
	}
	perUser := scope == "perUser"
	win64 := "no"
	if arch == "x64" {
		win64 = "yes"
	}
	regRoot := "HKCU"
	if !perUser {
		regRoot = "HKLM"
	}
	appKey := AppKey(c)
	regKey := wixlText(formatted(appKey))                  // InstallDir and the shortcuts' key paths
	compKey := wixlText(formatted(appKey + `\Components`)) // the other per-user key paths
	compGUID := func(kind, rel string) string {
		return guid(uuid.NewSHA1(upgrade, []byte(kind+"\x00"+scope+"\x00"+arch+"\x00"+rel)))
	}

	p := &product{
		ProductCode:  guid(ProductCode(upgrade, productVersion)),
		UpgradeCode:  guid(upgrade),
		Version:      productVersion,
		Name:         wixlText(name),
		Manufacturer: wixlText(manufacturer),
		Summary:      wixlText(name + " " + in.Version.String() + " installer"),
		Comments:     wixlText(desc),
		Homepage:     wixlText(text.Line(c.Homepage)),
		Scope:        scope,
		PerUser:      perUser,
		ProgramFiles: "ProgramFilesFolder",
	}
	if arch == "x64" {
		p.ProgramFiles = "ProgramFiles64Folder"
	}

	// The app folder, walked in lexical order so ids and the cabinet's
	// order are stable.
	p.Root = &folder{ID: "INSTALLDIR", Name: wixlText(fileName(name, c.Binary)), rel: "."}
	folders := map[string]*folder{".": p.Root}
	var exeID string
	n := 0
	err := filepath.WalkDir(in.AppDir, func(abs string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(in.AppDir, abs)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		name := path.Base(rel)
		if err := checkFileName(rel, name); err != nil {
			return err
		}
		parent := folders[path.Dir(rel)]
		if d.IsDir() {
			f := &folder{ID: ident("d", rel), Name: wixlText(name), rel: rel}
			parent.Dirs = append(parent.Dirs, f)
			folders[rel] = f
			return nil
		}
		if !d.Type().IsRegular() {
			return exitcode.Config(fmt.Errorf("msi: %s in the app folder is not a regular file", rel))
		}
		n++
		source := fmt.Sprintf("src/%05d", n)
		if err := copyFile(abs, filepath.Join(in.WorkDir, filepath.FromSlash(source)), in); err != nil {
			return err
		}
		comp := &component{
			ID: ident("c", rel), GUID: compGUID("file", rel), Win64: win64,
			File: &file{ID: ident("f", rel), Name: wixlText(name), Source: source},
		}
		if rel == in.Exe {
			exeID = comp.File.ID
			v := regValue{Root: regRoot, Key: regKey, Name: "InstallDir", Type: "string", Value: "[INSTALLDIR]"}
			if perUser {
				comp.KeyPath = &v
			} else {
				comp.Values = append(comp.Values, v)
			}
		} else if perUser {
			comp.KeyPath = &regValue{Root: "HKCU", Key: compKey, Name: comp.ID, Type: "integer", Value: "1"}
		}
		parent.Components = append(parent.Components, comp)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if exeID == "" {
		return nil, fmt.Errorf("msi: the executable %s is not in the app folder", in.Exe)
	}

	// Every folder the package creates is removed on uninstall: RemoveFolder
	// acts on its component's folder, so each folder needs a component; a
	// folder without files gets one that creates it.
	var walk func(f *folder)
	walk = func(f *folder) {
		rel := f.rel
		if len(f.Components) == 0 {
			comp := &component{ID: ident("k", rel), GUID: compGUID("folder", rel), Win64: win64}
			if perUser {
				comp.KeyPath = &regValue{Root: "HKCU", Key: compKey, Name: comp.ID, Type: "integer", Value: "1"}
			}
			f.Components = append(f.Components, comp)
		}
		f.Components[0].RemoveFolder = ident("r", rel)
		for _, comp := range f.Components {
			p.ComponentIDs = append(p.ComponentIDs, comp.ID)
		}
		for _, d := range f.Dirs {
			walk(d)
		}
	}
	walk(p.Root)

	if utf8.RuneCountInString(desc) > 255 { // Shortcut.Description holds 255 characters
		desc = string([]rune(desc)[:254]) + "…"
	}
	places := []struct{ id, folder string }{{"StartMenu", "ProgramMenuFolder"}}
	if c.Windows.DesktopShortcut {
		places = append(places, struct{ id, folder string }{"Desktop", "DesktopFolder"})
	}
	for _, pl := range places {
		s := shortcut{
			ID: pl.id + "Shortcut", Component: pl.id + "ShortcutComponent", GUID: compGUID("shortcut", pl.id), Win64: win64,
			Folder: pl.folder, Name: p.Root.Name, Description: wixlText(desc), Target: exeID,
			KeyPath: regValue{Root: regRoot, Key: regKey, Name: pl.id + "Shortcut", Type: "integer", Value: "1"},
		}
		p.Shortcuts = append(p.Shortcuts, s)
		p.ComponentIDs = append(p.ComponentIDs, s.Component)
	}

	if in.Icons != nil {
		ico, err := in.Icons.ICO()
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(in.WorkDir, "app.ico"), ico, 0o644); err != nil {
			return nil, err
		}
		p.Icon = "app.ico"
	}
	return p, nil
}

// copyFile copies an app file into the work folder with the artifact's
// modification time, which wixl's cabinet records.
func copyFile(src, dst string, in packager.Input) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	r, err := os.Open(src)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return os.Chtimes(dst, in.MTime, in.MTime)
}

var notIdent = regexp.MustCompile(`[^A-Za-z0-9_.]+`)

// ident is a stable MSI identifier for a path in the app: a letter for the
// kind, the path's readable part and a hash that keeps it unique. MSI
// identifiers hold at most 72 characters; these hold at most 51.
func ident(kind, rel string) string {
	sum := sha256.Sum256([]byte(rel))
	readable := notIdent.ReplaceAllString(rel, "_")
	if rel == "." {
		readable = "app"
	}
	if len(readable) > 32 {
		readable = readable[len(readable)-32:]
	}
	return kind + "_" + readable + "_" + hex.EncodeToString(sum[:])[:16]
}

// formatted escapes text for a column Windows Installer reads as a
// formatted string, where [name] means a property.
func formatted(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '[':
			b.WriteString(`[\[]`)
		case ']':
			b.WriteString(`[\]]`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wixlText escapes "$" for wixl's preprocessor, which reads "$(" as a
// variable, drops a "$" before any other character and turns "$$" into
// "$" (so a run of n dollars comes out as n-1). A "$(" cannot be escaped;
// callers refuse it.
func wixlText(s string) string {
	var b strings.Builder
	for i, r := range s {
		b.WriteRune(r)
		if r == '$' && (i+1 == len(s) || s[i+1] != '$') {
			b.WriteByte('$') // one more at the end of each run
		}
	}
	return b.String()
}

// invalidName holds the characters Windows does not allow in file names
// (and "|", which MSI's Filename columns use to split short and long
// names).
const invalidName = `<>:"/\|?*`

// fileName turns the app's name into a Windows folder and shortcut name.
func fileName(name, fallback string) string {
	s := strings.Map(func(r rune) rune {
		if r < 32 || strings.ContainsRune(invalidName, r) {
			return '_'
		}
		return r
	}, name)
	s = strings.TrimRight(s, ". ")
	if s == "" || reserved(s) {
		return fallback
	}
	return s
}

// regName turns text into one registry key name (no "\").
func regName(s string) string { return strings.ReplaceAll(s, `\`, "_") }

// checkFileName refuses app files Windows cannot hold or wixl cannot write.
func checkFileName(rel, name string) error {
	bad := strings.ContainsAny(name, invalidName) || strings.ContainsFunc(name, func(r rune) bool { return r < 32 })
	switch {
	case bad:
		return exitcode.Config(fmt.Errorf("msi: app file %s has a character Windows does not allow in file names (%s); rename it in files:", rel, invalidName))
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return exitcode.Config(fmt.Errorf("msi: app file %s ends in a dot or space, which Windows drops; rename it in files:", rel))
	case reserved(name):
		return exitcode.Config(fmt.Errorf("msi: app file %s has a name Windows reserves for a device; rename it in files:", rel))
	}
	return checkText("app file "+rel, name)
}

// reserved reports whether name is a DOS device name (CON, NUL, COM1 …),
// with or without an extension.
func reserved(name string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '1' && base[3] <= '9' {
		return true
	}
	return false
}

// cp1252 are the characters of Windows-1252 outside Latin-1.
const cp1252 = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

// checkTexts checks every text of c that the package holds.
func checkTexts(c config.Config) error {
	texts := []struct{ field, value string }{
		{"name", c.Name}, {"publisher", c.Publisher}, {"description", c.Description}, {"homepage", c.Homepage},
	}
	for _, t := range texts {
		if err := checkText(t.field, t.value); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses text that wixl 0.101 cannot store: it converts every
// string to Windows-1252 and writes an empty one when that fails, and its
// preprocessor expands every "$(".
func checkText(field, s string) error {
	if strings.Contains(s, "$(") {
		return exitcode.Config(fmt.Errorf("msi: %s %q holds \"$(\", which wixl's preprocessor always expands; reword it or drop msi from formats.windows", field, s))
	}
	var bad []string
	for _, r := range s {
		if r < 0x80 || (r >= 0xA0 && r <= 0xFF) || strings.ContainsRune(cp1252, r) {
			continue
		}
		if len(bad) < 3 {
			bad = append(bad, fmt.Sprintf("%q", r))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return exitcode.Config(fmt.Errorf("msi: %s %q has characters wixl cannot write into an MSI (%s): it stores text in Windows-1252; use other characters or drop msi from formats.windows", field, s, strings.Join(bad, ", ")))
}

// ProductCodeOf is the ProductCode of the app's MSI of version v, in
// braces as Windows lists installed products (winget's ProductCode).
func ProductCodeOf(c config.Config, v *semver.Version) (string, error) {
	pv, err := productVersion(v)
	if err != nil {
		return "", err
	}
	return "{" + guid(ProductCode(UpgradeCode(c.ID, c.Binary), pv)) + "}", nil
}
