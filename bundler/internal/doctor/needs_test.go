package doctor

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/formats"
)

func TestNeedsOf(t *testing.T) {
	names := func(n Needs) string {
		var out []string
		for _, f := range n.Formats {
			out = append(out, f.Name())
		}
		for _, s := range n.Signing {
			out = append(out, "sign:"+s.Command)
		}
		return strings.Join(out, " ")
	}
	dir := t.TempDir()
	if n, err := NeedsOf(filepath.Join(dir, "bundle.yaml")); err != nil || len(n.Formats) != len(formats.All()) || !strings.HasPrefix(n.Source, "no ") {
		t.Errorf("without a config: %s, %v", names(n), err)
	}
	base := "name: Hello\nid: com.example.hello\nbinary: hello\nmain: .\nmaintainer: A <a@example.com>\ndescription: Greets\n"
	for _, tc := range []struct{ extra, want string }{
		{"targets: [linux/amd64]\nformats: {linux: [deb, tar.gz]}\n", "tar.gz deb"},
		// Windows formats named but no Windows target: nothing for Windows.
		{"targets: [linux/amd64]\nformats: {linux: [tar.gz], windows: [nsis]}\n", "tar.gz"},
		{"targets: [windows/amd64]\nformats: {windows: [zip, msi]}\nsign:\n  windows:\n    pfx_file: k.pfx\n    password_env: PFX_PASS\n",
			"zip msi sign:osslsigncode sign:openssl"},
	} {
		path := filepath.Join(dir, "bundle.yaml")
		if err := os.WriteFile(path, []byte(base+tc.extra), 0o644); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
		n, err := NeedsOf(path)
		if err != nil {
			t.Fatalf("%s: %v", tc.extra, err)
		}
		if got := names(n); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.extra, got, tc.want)
		}
		if !slices.Contains(n.Secrets, "APPLE_NOTARY_KEY") || (strings.Contains(tc.extra, "PFX_PASS") && !slices.Contains(n.Secrets, "PFX_PASS")) {
			t.Errorf("%s: secrets %v", tc.extra, n.Secrets)
		}
	}
}
