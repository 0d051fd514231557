package update

import (
	"path/filepath"
	"testing"
)

// TestVersionOrder checks semver.org's precedence example and the forms
// ParseVersion refuses.
func TestVersionOrder(t *testing.T) {
	order := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "v1.0.1+build.5", "1.10.0", "2.0.0"}
	for i := range order {
		for j := range order {
			a, err := ParseVersion(order[i])
			if err != nil {
				t.Fatal(err)
			}
			b, _ := ParseVersion(order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%s vs %s: %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	for _, bad := range []string{"", "1.0", "1.0.0.0", "01.0.0", "1.0.x", "1.0.0-", "1.0.0-a..b", "1.0.0-ä"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) took it", bad)
		}
	}
}

func TestDetect(t *testing.T) {
	has := func(paths ...string) func(string) bool {
		return func(p string) bool {
			for _, q := range paths {
				if p == q {
					return true
				}
			}
			return false
		}
	}
	cases := []struct {
		goos, exe string
		exists    func(string) bool
		want      Kind
	}{
		{"darwin", "/Applications/Hello.app/Contents/MacOS/hello", has(), App},
		{"darwin", "/Users/a/hello/hello", has(), Portable},
		{"windows", `C:\Users\a\AppData\Local\Programs\Hello\hello.exe`, has(`C:\Users\a\AppData\Local\Programs\Hello\uninstall.exe`), NSIS},
		{"linux", "/usr/bin/hello", has("/var/lib/dpkg/status"), Deb},
		{"linux", "/usr/bin/hello", has("/var/lib/rpm"), RPM},
		{"linux", "/opt/hello/hello", has("/lib/apk/db/installed"), APK},
		{"linux", "/home/a/hello/hello", has("/var/lib/dpkg/status"), Portable},
	}
	for _, c := range cases {
		if c.goos == "windows" && filepath.Separator != '\\' {
			continue // filepath splits on / only here
		}
		if got := detect(c.goos, c.exe, c.exists); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.goos, c.exe, got, c.want)
		}
	}
}
