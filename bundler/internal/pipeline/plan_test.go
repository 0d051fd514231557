package pipeline

import (
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// TestCheckFilters: a --target or --format value holding whitespace or an
// invisible character is refused with exit 2, one line naming the value,
// what it holds and the fix; clean values pass.
func TestCheckFilters(t *testing.T) {
	tests := []struct {
		targets, formats []string
		want             string // the error, "" for none
	}{
		{targets: []string{"linux/amd64", "windows/arm64"}, formats: []string{"tar.gz", "sbom"}},
		{targets: []string{" linux/amd64"}, want: `--target " linux/amd64": holds a space (U+0020); pass GOOS/GOARCH without spaces`},
		{targets: []string{"linux/amd64", "darwin/arm64 "}, want: `--target "darwin/arm64 ": holds a space (U+0020); pass GOOS/GOARCH without spaces`},
		{targets: []string{"linux/amd64\u00a0"}, want: `--target "linux/amd64\u00a0": holds a space (U+00A0); pass GOOS/GOARCH without spaces`},
		{targets: []string{"linux/amd64\t"}, want: `--target "linux/amd64\t": holds a tab (U+0009); pass GOOS/GOARCH without spaces`},
		{targets: []string{"linux/amd64\r\n"}, want: `--target "linux/amd64\r\n": holds a line break (U+000D); pass GOOS/GOARCH without spaces`},
		{targets: []string{"linux\x00/amd64"}, want: `--target "linux\x00/amd64": holds a control character (U+0000); pass GOOS/GOARCH without it`},
		{targets: []string{"\u200blinux/amd64"}, want: `--target "\u200blinux/amd64": holds an invisible character (U+200B); pass GOOS/GOARCH without it`},
		{formats: []string{"tar.gz "}, want: `--format "tar.gz ": holds a space (U+0020); pass the format's name without spaces`},
		{formats: []string{"zip", "\x1b[0mdeb"}, want: `--format "\x1b[0mdeb": holds a control character (U+001B); pass the format's name without it`},
	}
	for _, tt := range tests {
		err := checkFilters(tt.targets, tt.formats)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("checkFilters(%q, %q): %v", tt.targets, tt.formats, err)
		case tt.want == "":
		case err == nil:
			t.Errorf("checkFilters(%q, %q) passed, want %s", tt.targets, tt.formats, tt.want)
		case err.Error() != tt.want || exitcode.Of(err) != exitcode.Usage:
			t.Errorf("checkFilters(%q, %q) = %v (exit %d), want %s (exit 2)", tt.targets, tt.formats, err, exitcode.Of(err), tt.want)
		}
	}
}
