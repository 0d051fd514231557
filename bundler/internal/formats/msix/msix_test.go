package msix

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/internal/msixtest"
	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testtool"
)

// input is a staged app: the executable, a file beside it and one in a
// folder; hostile puts markup, quotes and a line break into every text.
func input(t *testing.T, hostile bool) packager.Input {
	t.Helper()
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	for rel, data := range map[string]string{"hello.exe": "MZ not a real program", "LICENSE": "MIT\n", "docs/README.md": "# Hello\n"} {
		p := filepath.Join(app, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	icon, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "testdata", "project", "assets", "icon.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "icon.png"), icon, 0o644); err != nil {
		t.Fatal(err)
	}
	c := config.Config{Name: "Hello", ID: "dev.bundlekit.hello", Binary: "hello", Publisher: "The bundle authors",
		Description: "Says hello", Icon: "icon.png"}
	if hostile {
		c.Name, c.Publisher, c.Description = `Hello <b>"&'</b>`, `Corp, Inc. "<x>" =;+#`, "Says <script>alert(1)</script> & \"hi\"\n\nmore"
	}
	return packager.Input{
		Config: c, Dir: dir, Version: semver.MustParse("1.2.3-rc.1"), Target: platform.Target{OS: "windows", Arch: "amd64"},
		AppDir: app, Exe: "hello.exe", Stem: "hello_1.2.3-rc.1_windows_amd64",
		MTime: time.Unix(1767225600, 0).UTC(), WorkDir: t.TempDir(), Icons: icons.NewSet(filepath.Join(dir, "icon.png"), ""),
	}
}

func build(t *testing.T, in packager.Input) string {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "hello.msix")
	if err := (Format{}).Package(context.Background(), in, dest); err != nil {
		t.Fatal(err)
	}
	return dest
}

// TestPackage checks the package as tools nobody here wrote read it: a
// ZIP that unzip accepts, an AppxManifest.xml and an AppxBlockMap.xml
// that Microsoft's schemas accept (xmllint), block hashes and local
// header sizes that match the entries, and, signed by osslsigncode, a
// signature it verifies in a package unzip still accepts.
func TestPackage(t *testing.T) {
	testtool.Need(t, "unzip libxml2-utils osslsigncode openssl", "unzip", "xmllint", "osslsigncode", "openssl")
	for _, hostile := range []bool{false, true} {
		in := input(t, hostile)
		pkg := build(t, in)
		run(t, "unzip", "-t", pkg)
		dir := t.TempDir()
		run(t, "unzip", "-q", pkg, "-d", dir)
		run(t, "xmllint", "--noout", "--schema", "testdata/schema/AppxManifest.driver.xsd", filepath.Join(dir, "AppxManifest.xml"))
		run(t, "xmllint", "--noout", "--schema", "testdata/schema/BlockMapSchema.xsd", filepath.Join(dir, "AppxBlockMap.xml"))
		manifest, _ := os.ReadFile(filepath.Join(dir, "AppxManifest.xml"))
		for _, want := range []string{`Name="dev.bundlekit.hello"`, `Version="1.2.3.0"`, `ProcessorArchitecture="x64"`, `Executable="hello.exe"`} {
			if !strings.Contains(string(manifest), want) {
				t.Errorf("AppxManifest.xml lacks %s:\n%s", want, manifest)
			}
		}
		if err := msixtest.CheckBlockMap(pkg); err != nil {
			t.Errorf("hostile %v: %v", hostile, err)
		}
		if err := msixtest.CheckContentTypes(pkg); err != nil {
			t.Errorf("hostile %v: %v", hostile, err)
		}
		for _, logo := range []string{"Assets/StoreLogo.png", "Assets/Square150x150Logo.png", "Assets/Square44x44Logo.png", "docs/README.md"} {
			if _, err := os.Stat(filepath.Join(dir, logo)); err != nil {
				t.Errorf("the package lacks %s", logo)
			}
		}
	}

	cert, err := testcert.Write(t.TempDir(), "secret", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	in := input(t, false)
	in.Config.Sign.Windows = &config.WindowsSign{PFXFile: cert.PFX, PasswordEnv: "BUNDLE_TEST_MSIX_PFX"}
	t.Setenv("BUNDLE_TEST_MSIX_PFX", "secret")
	pkg := build(t, in)
	signed := filepath.Join(t.TempDir(), "signed.msix")
	run(t, "osslsigncode", "sign", "-pkcs12", cert.PFX, "-pass", "secret", "-in", pkg, "-out", signed)
	run(t, "osslsigncode", "verify", "-CAfile", cert.CertPEM, "-in", signed)
	run(t, "unzip", "-t", signed)
	if err := msixtest.CheckBlockMap(signed); err != nil {
		t.Errorf("signed: %v", err)
	}
	if err := msixtest.CheckContentTypes(signed); err != nil {
		t.Errorf("signed: %v", err)
	}
	dir := t.TempDir()
	run(t, "unzip", "-q", signed, "AppxManifest.xml", "-d", dir)
	manifest, _ := os.ReadFile(filepath.Join(dir, "AppxManifest.xml"))
	if want := `Publisher="CN=Bundle Test Code Signing, O=Bundle Tests"`; !strings.Contains(string(manifest), want) {
		t.Errorf("a signed package's Publisher is not its certificate's subject (%s):\n%s", want, manifest)
	}
}

// TestSchemaRefuses: the schemas refuse what they should, so the test
// above can fail.
func TestSchemaRefuses(t *testing.T) {
	testtool.Need(t, "libxml2-utils", "xmllint")
	for _, name := range []string{"broken-arch.xml", "broken-noname.xml", "broken-rescap.xml", "broken-uapattr.xml", "broken-version.xml"} {
		cmd := exec.Command("xmllint", "--noout", "--schema", "testdata/schema/AppxManifest.driver.xsd", filepath.Join("testdata/schema/tests", name))
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("%s passed the schema:\n%s", name, out)
		}
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// load reads a bundle.yaml for windows/amd64 with msix, as the pipeline
// reads it.
func load(t *testing.T, yaml string) *config.Project {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bundle.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	k := config.Known{OSes: []string{"windows"}, Targets: []string{"windows/amd64"},
		Formats: map[string][]string{"windows": {"msix"}}, Checks: map[string]func(*config.Project) error{}}
	p, err := config.Load(path, k)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckConfig(t *testing.T) {
	cert, err := testcert.Write(t.TempDir(), "secret", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("BUNDLE_TEST_MSIX_PFX", "secret")
	base := "name: Hello\nbinary: hello\ntargets: [windows/amd64]\nformats: {windows: [msix]}\n"
	full := base + "id: dev.bundlekit.hello\nicon: icon.png\npublisher: Example\n"
	signed := full + "sign: {windows: {pfx_file: " + cert.PFX + ", password_env: BUNDLE_TEST_MSIX_PFX}}\n"
	tests := []struct{ name, yaml, want string }{
		{"good", full, ""},
		{"no id", base + "icon: icon.png\npublisher: Example\n", "id: an MSIX package is named by the app's id"},
		{"id too long", base + "id: a." + strings.Repeat("b", 50) + "\nicon: icon.png\npublisher: Example\n", "3 to 50"},
		{"no icon", base + "id: dev.bundlekit.hello\npublisher: Example\n", "icon:"},
		{"no publisher", base + "id: dev.bundlekit.hello\nicon: icon.png\n", "publisher:"},
		{"signed, the certificate's subject by default", signed, ""},
		{"signed, another publisher", signed + "windows: {msix_publisher: CN=Someone Else}\n",
			`is not the subject of the certificate sign.windows signs with, "CN=Bundle Test Code Signing, O=Bundle Tests"`},
		{"signed, the certificate's subject", signed + "windows: {msix_publisher: 'CN=Bundle Test Code Signing,O=Bundle Tests'}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Format{}.CheckConfig(load(t, tt.yaml))
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("CheckConfig: %v; want %q", err, tt.want)
			}
		})
	}
}

func TestDN(t *testing.T) {
	for in, want := range map[string]string{"Example Corp": "Example Corp", "Example, Inc.": `"Example, Inc."`, `Say "hi"`: `"Say ""hi"""`, ` x`: `" x"`, `a=b`: `"a=b"`} {
		if got := dnValue(in); got != want {
			t.Errorf("dnValue(%q) = %s, want %s", in, got, want)
		}
	}
	if !sameDN("CN=A, O=B", "CN=A,O=B") || sameDN("CN=A, O=B", "O=B, CN=A") || !sameDN(`CN="A, Inc.", C=US`, `CN="A, Inc.",C=US`) {
		t.Errorf("sameDN")
	}
}
