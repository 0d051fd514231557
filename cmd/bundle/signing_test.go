package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testfs"
)

// The command-line side of signing; bundler's own tests sign and check
// the artifacts.

// TestSkipUsage: --skip takes only step names; a wrong one is a one-line
// usage error that suggests the nearest.
func TestSkipUsage(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello")
	r := runBundle(t, dir, nil, "build", "--dist", t.TempDir(), "--skip", "notarise")
	if r.code != 2 || strings.TrimSpace(r.stderr) != `bundle: --skip notarise: no such step (did you mean "notarize"?); steps: notarize` {
		t.Errorf("--skip notarise: exit %d\n%s", r.code, r.stderr)
	}
}

// TestInspectCodeSignature is the line `bundle inspect` prints for the
// code signature of a signed app, as bundler.Inspect reads it.
func TestInspectCodeSignature(t *testing.T) {
	t.Parallel()
	sig := &bundler.CodeSignature{
		Identifier: "dev.bundlekit.hello", TeamID: "TEST123456", Signer: "Developer ID Application: Bundle Tests (TEST123456)",
		Flags: []string{"runtime"}, Entitlements: []string{"com.apple.security.network.server"},
	}
	for _, tt := range []struct {
		name string
		app  bundler.MacApp
		want string
	}{
		{name: "signed", app: bundler.MacApp{CodeSignature: sig, Sealed: true},
			want: `  code signature               signed by "Developer ID Application: Bundle Tests (TEST123456)", team TEST123456, identifier dev.bundlekit.hello, flags runtime, entitlements com.apple.security.network.server, no secure timestamp (notarization needs one); resources sealed`},
		{name: "unsigned", app: bundler.MacApp{},
			want: `  code signature               unsigned; no resource seal`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			printMacApp(printer{w: &out}, &tt.app)
			if !strings.Contains(out.String(), "\n"+tt.want+"\n") {
				t.Errorf("inspect prints\n%s\nwant the line\n%s", out.String(), tt.want)
			}
		})
	}
}
