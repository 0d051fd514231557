package windows

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/compile"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/version"
)

// The Windows resources against the compile they are added to, for
// bench/windows.sh: both on examples/hello for windows/amd64.

func helloProject(b *testing.B) *config.Project {
	p, err := config.Load(filepath.Join("..", "..", "..", "..", "examples", "hello", "bundle.yaml"), formats.Known())
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkWindowsResources makes the icon, manifest and version info
// .syso from the 1024 px icon, as one build does for its first Windows
// target.
func BenchmarkWindowsResources(b *testing.B) {
	p := helloProject(b)
	v, _ := version.Parse("1.0.0")
	t := platform.Target{OS: "windows", Arch: "amd64"}
	for i := 0; i < b.N; i++ {
		// A fresh set without a disk cache: the cost of a first build.
		if _, err := resources(p.Config, t, v, icons.NewSet(p.Abs(p.Config.Icon), ""), "hello.exe"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWindowsCompile is go build of the same target with a warm
// cache: what every build pays per target.
func BenchmarkWindowsCompile(b *testing.B) {
	p := helloProject(b)
	out := filepath.Join(b.TempDir(), "hello.exe")
	for i := 0; i < b.N; i++ {
		err := compile.Run(context.Background(), compile.Request{
			Dir: p.Dir, Main: p.Config.Main, Target: platform.Target{OS: "windows", Arch: "amd64"},
			Out: out, Build: p.Config.Build, Version: "1.0.0",
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWindowsResourcesCached is the same with the icon cache of an
// earlier build: what a rebuild pays.
func BenchmarkWindowsResourcesCached(b *testing.B) {
	p := helloProject(b)
	v, _ := version.Parse("1.0.0")
	t := platform.Target{OS: "windows", Arch: "amd64"}
	cache := b.TempDir()
	if _, err := icons.NewSet(p.Abs(p.Config.Icon), cache).ICO(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := resources(p.Config, t, v, icons.NewSet(p.Abs(p.Config.Icon), cache), "hello.exe"); err != nil {
			b.Fatal(err)
		}
	}
}
