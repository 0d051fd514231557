package linuxpkg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// loadWith loads a bundle.yaml whose Linux formats are the four packages,
// with their rules for bundle.yaml registered as the pipeline registers
// them.
func loadWith(t *testing.T, yaml string) *config.Project {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "bundle.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	k := config.Known{
		OSes: []string{"linux"}, Targets: []string{"linux/amd64"},
		Formats: map[string][]string{"linux": {Deb.Name(), RPM.Name(), APK.Name(), ArchLinux.Name()}},
		Checks:  map[string]func(*config.Project) error{},
	}
	for _, f := range []Format{Deb, RPM, APK, ArchLinux} {
		k.Checks[f.Name()] = f.CheckConfig
	}
	p, err := config.Load(path, k)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckConfig(t *testing.T) {
	base := "name: Hello\nbinary: hello\ntargets: [linux/amd64]\nformats: {linux: [rpm, deb]}\n"
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"complete", base + "maintainer: A <a@example.com>\n", ""},
		{"no maintainer, named by the first package format", base, "maintainer: rpm packages need a maintainer; add maintainer: Name <email>"},
		{"desktop entry without an id", base + "maintainer: A <a@example.com>\ngui: true\n",
			":6:6: gui: the rpm package's desktop entry needs an id; add id: in reverse DNS, such as com.example.hello"},
		{"desktop entry without an icon", base + "maintainer: A <a@example.com>\nid: com.example.hello\nlinux: {desktop: true}\n",
			"linux.desktop: the rpm package's desktop entry needs an icon; add icon: with a square PNG"},
		{"no desktop entry asked", base + "maintainer: A <a@example.com>\ngui: true\nlinux: {desktop: false}\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := loadWith(t, tt.yaml)
			var err error
			for _, name := range p.Config.Formats.Linux {
				if err = map[string]Format{"deb": Deb, "rpm": RPM}[name].CheckConfig(p); err != nil {
					break
				}
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || exitcode.Of(err) != exitcode.Usage {
				t.Fatalf("err = %v, want exit 2 with %q", err, tt.want)
			}
		})
	}
}
