package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/bundler/internal/oses"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgrs"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/tool"
)

// listing is a format that exists only in this test: a text file naming
// what the staged app folder holds, written by a tool (sh) straight at the
// destination. It carries everything a format knows about itself: its
// tool, its OS and architectures, a rule for bundle.yaml, a limit per
// version. Adding it to the list is all it takes for the pipeline, the
// config, the plan and --format to know it.
type listing struct{}

var sh = tool.Tool{Name: "POSIX shell", Command: "sh", Debian: "dash"}

func (listing) Name() string                      { return "listing" }
func (listing) Supports(goos string) bool         { return goos == "linux" }
func (listing) Tools() []tool.Tool                { return []tool.Tool{sh} }
func (listing) FileName(in packager.Input) string { return in.Stem + ".txt" }

func (listing) SupportsArch(arch string) (bool, string) {
	return arch == "amd64", "listing: only for amd64"
}

func (listing) CheckConfig(p *config.Project) error {
	if p.Config.Homepage == "" {
		return p.Errorf("homepage", "a listing names the homepage; add homepage:")
	}
	return nil
}

func (listing) Check(_ config.Config, _ platform.Target, v *semver.Version) error {
	if v.Prerelease() != "" {
		return exitcode.Config(errTestPrerelease)
	}
	return nil
}

var errTestPrerelease = errors.New("listing: no pre-releases")

func (listing) Package(ctx context.Context, in packager.Input, dest string) error {
	path, err := tool.Find(sh, "listing")
	if err != nil {
		return err
	}
	cmd := proc.Command(ctx, path, "-c", `cd "$1" && ls -A >"$2" && echo "$3" >>"$2"`, "sh", in.AppDir, dest, in.Config.Homepage)
	return cmd.Run()
}

// testProject writes a small app whose bundle.yaml asks for formats.
func testProject(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":      "module example.com/hello\n\ngo 1.22\n",
		"main.go":     "package main\n\nfunc main() { println(\"hello\") }\n",
		"NOTES.txt":   "notes\n",
		"bundle.yaml": yaml,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "bundle.yaml")
}

const listingYAML = `name: Hello
binary: hello
version: 1.0.0
homepage: https://example.com/hello
targets: [linux/amd64, linux/arm64]
formats:
  linux: [tar.gz, listing]
files:
  - src: NOTES.txt
runtime:
  hook: false
sbom: false
`

func TestFormatAddedInOneLine(t *testing.T) {
	t.Parallel()
	registry := append(formats.All(), listing{})
	build := func(t *testing.T, yaml string, o Options) (*Result, string, error) {
		o.Config, o.Dist, o.SourceDateEpoch = testProject(t, yaml), filepath.Join(t.TempDir(), "dist"), "1767225600"
		res, err := run(context.Background(), o, registry, oses.All(), pkgmgrs.All())
		return res, o.Dist, err
	}

	res, dist, err := build(t, listingYAML, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var made []string
	for _, a := range res.Manifest.Artifacts {
		made = append(made, a.Format+" "+a.OS+"/"+a.Arch+" "+a.Path)
	}
	want := []string{
		"listing linux/amd64 hello_1.0.0_linux_amd64.txt",
		"tar.gz linux/amd64 hello_1.0.0_linux_amd64.tar.gz",
		"tar.gz linux/arm64 hello_1.0.0_linux_arm64.tar.gz",
	}
	slices.Sort(made)
	if !slices.Equal(made, want) {
		t.Errorf("made %q, want %q", made, want)
	}
	if len(res.Skips) != 1 || !strings.Contains(res.Skips[0].Reason, "skipped listing for linux/arm64: listing: only for amd64") {
		t.Errorf("skips %+v, want listing skipped for arm64 with the format's reason", res.Skips)
	}
	text, err := os.ReadFile(filepath.Join(dist, "hello_1.0.0_linux_amd64.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(text) != "NOTES.txt\nhello\nhttps://example.com/hello\n" {
		t.Errorf("the tool wrote %q at the destination, want the plain staged folder", text)
	}
	m, err := artifact.ReadManifest(dist)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(m)
	if !strings.Contains(string(data), `"format":"listing"`) {
		t.Errorf("artifacts.json lacks the listing: %s", data)
	}
	if sum, _ := artifact.SHA256File(dist, "hello_1.0.0_linux_amd64.txt"); !strings.Contains(mustRead(t, filepath.Join(dist, artifact.ChecksumsName)), sum+"  hello_1.0.0_linux_amd64.txt") {
		t.Errorf("checksums.txt lacks the listing's %s", sum)
	}

	for _, tt := range []struct {
		name string
		yaml string
		o    Options
		want string
	}{
		{"the format's own rule for bundle.yaml, at its line", strings.Replace(listingYAML, "homepage: https://example.com/hello\n", "", 1), Options{},
			"bundle.yaml: homepage: a listing names the homepage; add homepage:"},
		{"the format's limit per version", listingYAML, Options{Version: "1.0.0-rc.1"}, "listing: no pre-releases"},
		{"--format names it", listingYAML, Options{Formats: []string{"listin"}}, `--format listin: not a format (did you mean "listing"?)`},
		{"its arch limit with --format and --target", listingYAML, Options{Formats: []string{"listing"}, Targets: []string{"linux/arm64"}},
			"--format listing --target linux/arm64: listing: only for amd64"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, dist, err := build(t, tt.yaml, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) || exitcode.Of(err) != exitcode.Usage {
				t.Fatalf("err = %v (exit %d), want exit 2 with %q", err, exitcode.Of(err), tt.want)
			}
			if _, statErr := os.Stat(dist); statErr == nil {
				t.Errorf("dist was made for a build that failed its checks")
			}
		})
	}

	// Without the line in the list, the format does not exist.
	o := Options{Config: testProject(t, listingYAML), Dist: filepath.Join(t.TempDir(), "dist")}
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), `"listing"`) {
		t.Errorf("Run without the format: %v, want bundle.yaml's listing refused", err)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
