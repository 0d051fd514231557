package compile

import (
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

func TestArgs(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{
			name: "plain",
			req:  Request{Main: ".", Target: platform.Target{OS: "linux", Arch: "amd64"}, Out: "out/app"},
			want: "build -ldflags=-s -w -buildid= -trimpath -buildvcs=false -o out/app .",
		},
		{
			name: "gui only affects windows",
			req:  Request{Main: ".", Target: platform.Target{OS: "darwin", Arch: "arm64"}, Out: "a", GUI: true},
			want: "build -ldflags=-s -w -buildid= -trimpath -buildvcs=false -o a .",
		},
		{
			name: "windows gui, version, tags, flags, user ldflags with spaces, overlay",
			req: Request{
				Main: "./cmd/x", Target: platform.Target{OS: "windows", Arch: "amd64"}, Out: "x.exe", GUI: true,
				Version: "1.2.3", Overlay: "/tmp/o.json",
				Build: config.Build{
					VersionVar: "main.version", Tags: []string{"netgo", "osusergo"}, Flags: []string{"-mod=vendor"},
					Ldflags: []string{"-X=main.name=My App", "-extldflags=-static"},
				},
			},
			want: "build -ldflags=-s -w -buildid= -H=windowsgui '-X=main.name=My App' -extldflags=-static -X=main.version=1.2.3 -overlay=/tmp/o.json -trimpath -buildvcs=false -tags=netgo,osusergo -mod=vendor -o x.exe ./cmd/x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(tt.req.Args(), " "); got != tt.want {
				t.Errorf("args\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	t.Setenv("CGO_ENABLED", "")
	r := Request{Target: platform.Target{OS: "windows", Arch: "arm64"}}
	env := r.Env()
	for _, kv := range []string{"GOOS=windows", "GOARCH=arm64", "CGO_ENABLED=0"} {
		if !slices.Contains(env, kv) {
			t.Errorf("env lacks %s", kv)
		}
	}
	r.Build.Env = []string{"CGO_ENABLED=1"}
	env = r.Env()
	if slices.Contains(env, "CGO_ENABLED=0") || env[len(env)-1] != "CGO_ENABLED=1" {
		t.Errorf("build.env CGO_ENABLED not respected: %v", env[len(env)-3:])
	}
}

func TestGOARM(t *testing.T) {
	tests := []struct {
		name     string
		buildEnv []string
		environ  string
		want     string
		from     string
	}{
		{name: "unset", want: "7", from: "Go's default"},
		{name: "environment", environ: "6", want: "6", from: "the environment"},
		{name: "build.env wins", buildEnv: []string{"GOARM=5"}, environ: "6", want: "5", from: "build.env"},
		{name: "the last of build.env", buildEnv: []string{"GOARM=5", "CGO_ENABLED=0", "GOARM=6,hardfloat"}, want: "6,hardfloat", from: "build.env"},
		{name: "empty in build.env is unset, over the environment", buildEnv: []string{"GOARM="}, environ: "6", want: "7", from: "Go's default"},
		{name: "another key", buildEnv: []string{"GOARM64=v8.0", "XGOARM=5"}, want: "7", from: "Go's default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOARM", tt.environ)
			got, from := GOARM(config.Build{Env: tt.buildEnv})
			if got != tt.want || from != tt.from {
				t.Errorf("GOARM = %q from %s, want %q from %s", got, from, tt.want, tt.from)
			}
		})
	}
}
