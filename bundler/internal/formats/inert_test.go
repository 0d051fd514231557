package formats_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"
	"github.com/klauspost/compress/zstd"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/formats/linuxpkg"
	"github.com/bundlekit/bundle/bundler/internal/formats/msi"
	"github.com/bundlekit/bundle/bundler/internal/formats/nsis"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/winres"
	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/templates"
	"github.com/bundlekit/bundle/templates/text"
)

// nasty are strings that mean something in some format bundle writes.
var nasty = []string{
	"line\nbreak", "cr\rreturn", "crlf\r\nend", "\n", "\r\n\r\n", " ", "  lead and trail  ", "\ttab\t",
	"nul\x00byte", "bell\a esc\x1b[31m", "del\x7f", "c1 \u0085nel \u0090dcs \u009b", "ls\u2028ps\u2029",
	"bidi \u202eevil\u202c \u2066iso\u2069", "quotes ' \" `", `back\slash\`, `\\n \s \t \;`,
	"<tag>&amp;</tag>", "]]> <![CDATA[x]]>", "<!-- comment -->", "--", "-", "Foo -- Bar", "a-",
	"</string><key>Evil</key><string>", "</p></description><evil/>", `"/><Evil a="`,
	"$INSTDIR ${x} $\\n $\\\" $$ $(^Name) $(x) ${U+24}", "!define X\n!error boom", "; comment\nQuit",
	"a;b=c\n[Section]\nExec=evil", "x\nExec=rm -rf ~", "x\nPre-Depends: evil", "x\n depend = evil\ndepend = evil",
	"%{_bindir} %% %s %prep", "key = value\npkgname = evil", "x\n.\n \n-- Evil <e@x>  Thu, 01 Jan 1970 00:00:00 +0000",
	"bad utf8 \xff\xfe \xc3", "\ufeffbom \ufffe\uffff", "emoji 😀 漢字 Ünïcödé", "[bracket] *star ?q {a,b}",
	strings.Repeat("long ", 2000), "First line.\n\nSecond paragraph\nwrapped.\n\n\nThird.",
	"Synopsis\n\n\n", "\n\nstarts blank\nthen more",
}

// hostile is nasty plus n strings drawn from a seeded generator out of
// the same dangerous pieces and random runes.
func hostile(n int) []string {
	r := rand.New(rand.NewPCG(20260101, 7))
	pieces := []string{"\n", "\r", "\x00", "\x1f", "\x7f", "\u0085", "\u2028", "\u202e", "'", `"`, "`", "<", ">", "&",
		"]]>", "<!--", "--", "-", "$", "${", "$\\", "!", ";", "=", "[", "]", "\\", "%", "%{", " ", "\xff", "Exec=", "Pre-Depends:", "depend ="}
	out := slices.Clone(nasty)
	for range n {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			switch r.IntN(3) {
			case 0:
				b.WriteRune(rune(r.IntN(0x3000)))
			default:
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
		}
		out = append(out, b.String())
	}
	return out
}

// setText puts s in every text field of the configuration that reaches a
// generated file. The identifier fields (id, binary, package name,
// version) stay benign: they become file names and are checked elsewhere.
func setText(c *config.Config, s string) {
	c.Name, c.Description, c.Publisher, c.Maintainer, c.Homepage, c.License, c.Copyright = s, s, s, s, s, s, s
	c.Linux.Section, c.Linux.Categories, c.MacOS.Category = s, []string{"Utility", s}, s
}

const textFields = 10

// one is a value of a one-line field as packages hold it.
func one(s string) string { return strings.TrimSpace(text.Line(s)) }

// xmlValue is what an XML parser reads back of text escaped by encoding/xml.
func xmlValue(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == 0xFFFE || r == 0xFFFF {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		s = s[n:]
	}
	return b.String()
}

func synopsis(s string) string {
	if syn := text.Synopsis(s); syn != "" {
		return strings.TrimSuffix(syn, ".")
	}
	return one(s)
}

func baseConfig() config.Config {
	return config.Config{
		Name: "Hello", ID: "com.example.hello", Binary: "hello", Version: "1.2.3", GUI: true,
		Linux: config.Linux{PackageName: "hello", Section: "utils", Categories: []string{"Utility"}},
		MacOS: config.MacOS{Category: "public.app-category.utilities", MinimumSystemVersion: "12.0"},
	}
}

func input(t *testing.T, c config.Config, goos string) packager.Input {
	t.Helper()
	app := t.TempDir()
	exe := "hello"
	if goos == "windows" {
		exe = "hello.exe"
	}
	if err := os.WriteFile(filepath.Join(app, exe), []byte("MZ tiny"), 0o755); err != nil {
		t.Fatal(err)
	}
	return packager.Input{
		Config: c, Dir: t.TempDir(), Version: semver.MustParse("1.2.3"), Target: platform.Target{OS: goos, Arch: "amd64"},
		AppDir: app, Exe: exe, Stem: "hello_1.2.3_" + goos + "_amd64",
		MTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), WorkDir: t.TempDir(),
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestTextIsInert is the property every format must have: whatever text
// the configuration holds, it never becomes a field, line, element or
// command of its own in a generated file or package, every XML and plist
// output stays well-formed, and the value reads back as itself or as its
// documented one-line form. Each hostile string goes into every text field
// at once; the structure of each output (its keys, elements, instructions,
// rows) must equal that of a benign configuration, and each field's value
// is read back with the format's own tool.
func TestTextIsInert(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "dpkg rpm desktop-file-utils libxml2-utils python3 nsis wixl msitools",
		"dpkg-deb", "rpm", "desktop-file-validate", "xmllint", "python3", "makensis", "wixl", "msiinfo")
	n := 30
	if testing.Short() {
		n = 0
	}
	strs := hostile(n)
	base := baseConfig()
	setText(&base, "Benign text")
	checks := []struct {
		name  string
		check func(t *testing.T, c config.Config, s string, want *shape)
	}{
		{"deb", checkDeb}, {"rpm", checkRPM}, {"apk", checkAPK}, {"archlinux", checkArch},
		{"nsis", checkNSIS}, {"msi", checkMSI}, {"Info.plist", checkPlist}, {"app.manifest", checkManifest},
	}
	var refused atomic.Int64
	// The formats are independent; each waits on its own tools.
	t.Run("formats", func(t *testing.T) {
		for _, ch := range checks {
			t.Run(ch.name, func(t *testing.T) {
				t.Parallel()
				want := &shape{}
				ch.check(t, base, "Benign text", want)
				if want.refused {
					t.Fatal("the benign configuration was refused")
				}
				want.baseline = true
				for i, s := range strs {
					c := baseConfig()
					setText(&c, s)
					got := *want
					got.blank = one(s) == ""
					ch.check(t, c, s, &got)
					if got.refused {
						refused.Add(1)
					}
					if t.Failed() {
						t.Fatalf("string %d: %q", i, s)
					}
				}
			})
		}
	})
	t.Logf("%d strings × %d fields × %d formats checked; %d (string, format) pairs refused with a configuration error",
		len(strs), textFields, len(checks), refused.Load())
}

// shape is the structure of an output for the benign configuration, which
// the hostile outputs must match.
type shape struct {
	baseline bool
	refused  bool
	blank    bool // the text is blank on one line: formats leave out or default such fields
	keys     map[string][]string
}

// same records got under name for the baseline, else compares it.
func (w *shape) same(t *testing.T, name string, got []string) {
	t.Helper()
	if w.keys == nil {
		w.keys = map[string][]string{}
	}
	if !w.baseline {
		w.keys[name] = got
		return
	}
	if w.blank {
		// Fields may be left out, never added: got is a subsequence.
		rest := w.keys[name]
		for _, k := range got {
			i := slices.Index(rest, k)
			if i < 0 {
				t.Errorf("%s: %q is new\n%q\nwant at most\n%q", name, k, got, w.keys[name])
				return
			}
			rest = rest[i+1:]
		}
		return
	}
	if !slices.Equal(w.keys[name], got) {
		t.Errorf("%s: structure\n%q\nwant\n%q", name, got, w.keys[name])
	}
}

// value compares a read-back value, unless the text was blank and the
// format may have left the field out or put its default there.
func (w *shape) value(t *testing.T, what, got, want string) {
	t.Helper()
	if !w.blank || want != "" {
		equal(t, what, got, want)
	}
}

func equal(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func build(t *testing.T, f packager.Format, in packager.Input) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := packagertest.Into(context.Background(), t, f, in, &b); err != nil {
		t.Fatalf("%s: %v", f.Name(), err)
	}
	return b.Bytes()
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// deb822 parses control-file paragraphs: the keys of each, in order, and
// the value of each key (continuation lines joined with "\n").
func deb822(t *testing.T, what, data string) (keys []string, values map[string]string) {
	t.Helper()
	values = map[string]string{}
	last := ""
	for _, l := range strings.Split(strings.TrimRight(data, "\n"), "\n") {
		switch {
		case l == "":
			keys = append(keys, "")
		case l[0] == ' ' || l[0] == '\t':
			if last == "" {
				t.Fatalf("%s: continuation line without a field: %q", what, l)
			}
			values[last] += "\n" + l[1:]
		default:
			k, v, ok := strings.Cut(l, ":")
			if !ok {
				t.Fatalf("%s: line is no field: %q", what, l)
			}
			keys, last = append(keys, k), k
			values[k] = strings.TrimSpace(v)
		}
	}
	return keys, values
}

func checkDeb(t *testing.T, c config.Config, s string, want *shape) {
	deb := writeTemp(t, "p.deb", build(t, linuxpkg.Deb, input(t, c, "linux")))
	keys, v := deb822(t, "control", run(t, "dpkg-deb", "-f", deb))
	want.same(t, "control", keys)
	want.value(t, "Maintainer", v["Maintainer"], one(s))
	want.value(t, "Section", v["Section"], one(s))
	want.value(t, "Homepage", v["Homepage"], one(s))
	syn, _, _ := strings.Cut(v["Description"], "\n")
	want.value(t, "Description synopsis", syn, synopsis(s))

	files := debFiles(t, deb)
	checkDesktop(t, files["./usr/share/applications/com.example.hello.desktop"], s, want)
	checkMetainfo(t, files["./usr/share/metainfo/com.example.hello.metainfo.xml"], s, want)
	keys, v = deb822(t, "copyright", string(files["./usr/share/doc/hello/copyright"]))
	want.same(t, "copyright", keys)
	want.value(t, "Upstream-Name", v["Upstream-Name"], one(s))
	want.value(t, "Copyright", v["Copyright"], one(s))
	want.value(t, "License", v["License"], one(s))
	lines := strings.Split(strings.TrimSpace(string(files["./usr/share/lintian/overrides/hello"])), "\n")
	want.same(t, "lintian-overrides", lines)

	var changelog bytes.Buffer
	zr, err := gzip.NewReader(bytes.NewReader(files["./usr/share/doc/hello/changelog.Debian.gz"]))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(&changelog, zr)
	// changelog.Debian: a header, the change, and the trailer naming the
	// maintainer; each line's kind must match the benign one's.
	var kinds []string
	trailer := ""
	for _, l := range strings.Split(strings.TrimRight(changelog.String(), "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, " -- "):
			kinds, trailer = append(kinds, "trailer"), l
		case strings.HasPrefix(l, "  "):
			kinds = append(kinds, "change")
		case l == "":
			kinds = append(kinds, "blank")
		default:
			kinds = append(kinds, "header")
		}
	}
	want.same(t, "changelog.Debian", kinds)
	want.value(t, "changelog trailer", trailer, " -- "+one(s)+"  Thu, 01 Jan 2026 00:00:00 +0000")
}

// debFiles are the files of a deb's data archive.
func debFiles(t *testing.T, deb string) map[string][]byte {
	t.Helper()
	cmd := exec.Command("dpkg-deb", "--fsys-tarfile", deb)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dpkg-deb --fsys-tarfile: %v", err)
	}
	return tarFiles(t, bytes.NewReader(out))
}

func tarFiles(t *testing.T, r io.Reader) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		files[h.Name] = data
	}
}

// desktopUnescape undoes the string escapes of the Desktop Entry
// Specification.
func desktopUnescape(v string) string {
	return strings.NewReplacer(`\s`, " ", `\n`, "\n", `\t`, "\t", `\r`, "\r", `\\`, `\`).Replace(v)
}

func checkDesktop(t *testing.T, data []byte, s string, want *shape) {
	t.Helper()
	p := writeTemp(t, "com.example.hello.desktop", data)
	out, err := exec.Command("desktop-file-validate", p).CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// A category is a registered name; hostile text left in it is
		// unknown, which is all the validator may say.
		if strings.Contains(l, ": error: ") && !strings.Contains(l, `for key "Categories"`) {
			t.Errorf("desktop-file-validate (%v): %s\n%s", err, l, data)
		}
	}
	var keys []string
	v := map[string]string{}
	for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if strings.HasPrefix(l, "[") {
			keys = append(keys, l)
			continue
		}
		k, val, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("desktop entry line is no key: %q", l)
		}
		keys = append(keys, k)
		v[k] = val
	}
	want.same(t, "desktop entry", keys)
	want.value(t, "Name", desktopUnescape(v["Name"]), text.Line(s))
	want.value(t, "Comment", desktopUnescape(v["Comment"]), synopsis(s))
	want.value(t, "Exec", v["Exec"], "hello")
}

// xmlShape is the element and attribute names of an XML document, in
// order, with runs of the same element collapsed (a description has as
// many <p> as paragraphs), and the text of each element path.
func xmlShape(t *testing.T, what string, data []byte) ([]string, map[string]string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var shape, path []string
	texts := map[string]string{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v\n%s", what, err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			path = append(path, tok.Name.Local)
			e := "<" + strings.Join(path, "/")
			if len(shape) == 0 || shape[len(shape)-1] != e || len(tok.Attr) > 0 {
				shape = append(shape, e)
			}
			for _, a := range tok.Attr {
				shape = append(shape, "@"+a.Name.Local)
				texts[strings.Join(path, "/")+"@"+a.Name.Local] = a.Value
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		case xml.CharData:
			texts[strings.Join(path, "/")] += string(tok)
		case xml.Comment:
			shape = append(shape, "<!---->")
		}
	}
	return shape, texts
}

func xmllint(t *testing.T, what string, data []byte) {
	t.Helper()
	p := writeTemp(t, what, data)
	if out, err := exec.Command("xmllint", "--noout", p).CombinedOutput(); err != nil {
		t.Errorf("xmllint %s: %v\n%s\n%s", what, err, out, data)
	}
}

func checkMetainfo(t *testing.T, data []byte, s string, want *shape) {
	t.Helper()
	xmllint(t, "metainfo.xml", data)
	shape, v := xmlShape(t, "metainfo.xml", data)
	want.same(t, "metainfo.xml", shape)
	want.value(t, "name", v["component/name"], xmlValue(text.Line(s)))
	want.value(t, "summary", v["component/summary"], xmlValue(synopsis(s)))
	want.value(t, "developer_name", v["component/developer_name"], xmlValue(text.Line(s)))
}

func checkRPM(t *testing.T, c config.Config, s string, want *shape) {
	p := writeTemp(t, "p.rpm", build(t, linuxpkg.RPM, input(t, c, "linux")))
	tags := []string{"SUMMARY", "LICENSE", "VENDOR", "URL", "PACKAGER", "GROUP"}
	var qf string
	for _, tag := range tags {
		qf += "%{" + tag + "}\x1e"
	}
	out := run(t, "rpm", "-qp", "--nosignature", "--queryformat", qf+"%{DESCRIPTION}\x1e[%{FILENAMES}\n]\x1e[%{CHANGELOGNAME}\n]", p)
	vals := strings.Split(out, "\x1e")
	if len(vals) != len(tags)+3 {
		t.Fatalf("rpm --queryformat: %d values: %q", len(vals), out)
	}
	for i, w := range []string{synopsis(s), one(s), one(s), one(s), one(s), "Applications/System"} {
		if vals[i] != "(none)" || w != "" {
			want.value(t, tags[i], vals[i], w)
		}
	}
	want.same(t, "files", strings.Split(vals[len(tags)+1], "\n"))
	want.same(t, "changelog", []string{fmt.Sprint(strings.Count(vals[len(tags)+2], "\n"))})
	want.value(t, "changelog name", strings.TrimSpace(vals[len(tags)+2]), strings.TrimSpace(one(s)+" - 1.2.3"))
}

// pkginfo parses a .PKGINFO: "key = value" lines and comments.
func pkginfo(t *testing.T, data []byte) ([]string, map[string]string) {
	t.Helper()
	var keys []string
	v := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, val, ok := strings.Cut(l, " = ")
		if !ok {
			t.Fatalf(".PKGINFO line is no field: %q", l)
		}
		keys = append(keys, k)
		v[k] = val
	}
	return keys, v
}

func checkAPK(t *testing.T, c config.Config, s string, want *shape) {
	data := build(t, linuxpkg.APK, input(t, c, "linux"))
	// An apk is gzip streams of tar segments; gzip reads them as one.
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(all, []byte(".PKGINFO\x00"))
	if i < 0 {
		t.Fatal("no .PKGINFO")
	}
	files := tarFiles(t, bytes.NewReader(all[i:]))
	checkPkginfo(t, files[".PKGINFO"], s, want, "maintainer")
}

func checkPkginfo(t *testing.T, data []byte, s string, want *shape, packager string) {
	t.Helper()
	keys, v := pkginfo(t, data)
	want.same(t, ".PKGINFO", keys)
	want.value(t, "pkgdesc", v["pkgdesc"], synopsis(s))
	want.value(t, "url", v["url"], one(s))
	want.value(t, "license", v["license"], one(s))
	want.value(t, packager, v[packager], one(s))
}

func checkArch(t *testing.T, c config.Config, s string, want *shape) {
	data := build(t, linuxpkg.ArchLinux, input(t, c, "linux"))
	zr, err := zstd.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := tarFiles(t, zr)
	checkPkginfo(t, files[".PKGINFO"], s, want, "packager")
}

// nsisInstructions are the instruction words of a script's lines.
func nsisInstructions(script string) []string {
	var out []string
	for _, l := range strings.Split(script, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == ';' {
			continue
		}
		w, _, _ := strings.Cut(l, " ")
		out = append(out, w)
	}
	return out
}

func checkNSIS(t *testing.T, c config.Config, s string, want *shape) {
	in := input(t, c, "windows")
	if refused(t, nsis.Format{}, in, want) {
		return
	}
	build(t, nsis.Format{}, in)
	script, err := os.ReadFile(filepath.Join(in.WorkDir, "installer.nsi"))
	if err != nil {
		t.Fatal(err)
	}
	want.same(t, "instructions", nsisInstructions(string(script)))
	if !bytes.Contains(script, []byte(`Name "`+nsis.String(text.Line(s))+`" `)) {
		t.Errorf("Name line does not hold the escaped name")
	}
}

// refused reports whether the format's Checker refuses the input; then
// the refusal must be one line with exit 2, and Package must refuse too.
func refused(t *testing.T, f packager.Format, in packager.Input, want *shape) bool {
	t.Helper()
	err := f.(packager.Checker).Check(in.Config, in.Target, in.Version)
	if err == nil {
		return false
	}
	if exitcode.Of(err) != exitcode.Usage || strings.Contains(err.Error(), "\n") {
		t.Errorf("Check: not a one-line configuration error: %q", err)
	}
	var b bytes.Buffer
	if perr := packagertest.Into(context.Background(), t, f, in, &b); perr == nil || perr.Error() != err.Error() {
		t.Errorf("Package: %v, want Check's error", perr)
	}
	want.refused = true
	return true
}

func checkMSI(t *testing.T, c config.Config, s string, want *shape) {
	in := input(t, c, "windows")
	if refused(t, msi.Format{}, in, want) {
		return
	}
	p := writeTemp(t, "p.msi", build(t, msi.Format{}, in))
	wxs, err := os.ReadFile(filepath.Join(in.WorkDir, "product.wxs"))
	if err != nil {
		t.Fatal(err)
	}
	xmllint(t, "product.wxs", wxs)
	shape, _ := xmlShape(t, "product.wxs", wxs)
	want.same(t, "product.wxs", shape)
	for _, table := range []string{"Property", "Shortcut", "Registry"} {
		cmd := exec.Command("msiinfo", "export", p, table)
		cmd.Dir = t.TempDir()
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("msiinfo export %s: %v", table, err)
		}
		rows := strings.Split(strings.TrimRight(string(out), "\r\n"), "\r\n")
		var shape []string
		v := map[string]string{}
		for _, r := range rows {
			cells := strings.Split(r, "\t")
			shape = append(shape, fmt.Sprint(len(cells)))
			v[cells[0]] = cells[len(cells)-1]
		}
		want.same(t, table, shape)
		if table == "Property" {
			want.value(t, "ProductName", v["ProductName"], text.Line(s))
			want.value(t, "Manufacturer", v["Manufacturer"], text.Line(s))
		}
	}
}

func checkPlist(t *testing.T, c config.Config, s string, want *shape) {
	data, err := templates.Render("macos/Info.plist.tmpl", map[string]any{
		"Name": c.Name, "ShortName": c.Name, "Executable": c.Binary, "IconFile": "", "ID": c.ID,
		"ShortVersion": "1.2.3", "BundleVersion": "1.2.3", "Category": c.MacOS.Category,
		"MinimumSystemVersion": "12.0", "Agent": false, "Copyright": c.Copyright,
	})
	if err != nil {
		t.Fatal(err)
	}
	xmllint(t, "Info.plist", data)
	shape, _ := xmlShape(t, "Info.plist", data)
	want.same(t, "Info.plist", shape)
	p := writeTemp(t, "Info.plist", data)
	out := run(t, "python3", "-c", "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))", p)
	var d map[string]any
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want.same(t, "plist keys", keys)
	for _, k := range []string{"CFBundleDisplayName", "CFBundleName", "LSApplicationCategoryType", "NSHumanReadableCopyright"} {
		want.value(t, k, fmt.Sprint(d[k]), xmlValue(text.Line(s)))
	}
}

func checkManifest(t *testing.T, c config.Config, s string, want *shape) {
	data, err := winres.NewManifest(c.Name, "1.2.3.0").Render()
	if err != nil {
		// Render refuses names XML cannot hold; the refusal is one line.
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Render: %q", err)
		}
		want.refused = true
		return
	}
	xmllint(t, "app.manifest", data)
	shape, v := xmlShape(t, "app.manifest", data)
	want.same(t, "app.manifest", shape)
	want.value(t, "assemblyIdentity name", v["assembly/assemblyIdentity@name"], xmlValue(c.Name))
}
