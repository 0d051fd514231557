package version

import (
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
)

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		base, bump, want string // base "" is no base; want "!text" is an error holding text
	}{
		{"1.2.3", "patch", "1.2.4"},
		{"1.2.3", "minor", "1.3.0"},
		{"1.2.3", "major", "2.0.0"},
		{"1.3.0-rc.1", "patch", "1.3.0"},
		{"1.3.0-rc.1", "minor", "1.3.0"},
		{"1.3.1-rc.1", "minor", "1.4.0"},
		{"2.0.0-beta.2", "major", "2.0.0"},
		{"2.1.0-beta.2", "major", "3.0.0"},
		{"1.2.3", "1.3.0-rc.1", "1.3.0-rc.1"},
		{"", "0.1.0", "0.1.0"},
		{"1.2.3", "1.2.3", "!not after 1.2.3 (the latest tag)"},
		{"1.2.3", "1.0.0", "!not after"},
		{"", "patch", "!no git tag is reachable"},
		{"1.2.3", "bigger", `!"bigger" is not patch, minor, major or a semantic version`},
	} {
		var base *semver.Version
		if tc.base != "" {
			base = mustParse(t, tc.base)
		}
		got, err := Next(base, "the latest tag", tc.bump)
		if want, isErr := strings.CutPrefix(tc.want, "!"); isErr {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Next(%s, %s) = %v, %v; want an error with %q", tc.base, tc.bump, got, err, want)
			}
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("Next(%s, %s) = %v, %v; want %s", tc.base, tc.bump, got, err, tc.want)
		}
	}
}
