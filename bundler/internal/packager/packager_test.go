package packager

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/config"
)

func TestCheckMacAppBundle(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"name: Hello\nbinary: hello\nid: com.example.hello\n", ""},
		{"name: Hello\nbinary: hello\n", "id: a macOS .app needs a bundle identifier; add id: in reverse DNS, such as com.example.hello"},
	} {
		path := filepath.Join(t.TempDir(), "bundle.yaml")
		if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := config.Load(path, config.Known{OSes: []string{"darwin"}, Targets: []string{"darwin/arm64"}})
		if err != nil {
			t.Fatal(err)
		}
		err = CheckMacAppBundle(p)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%q: CheckMacAppBundle = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
