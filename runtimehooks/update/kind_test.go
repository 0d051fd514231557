package update

import (
	"os"
	"path/filepath"
	"testing"
)

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
	owned := func(path string, k Kind) func(string) Kind {
		return func(p string) Kind {
			if p == path {
				return k
			}
			return ""
		}
	}
	msi := func(dirs ...string) func() []string { return func() []string { return dirs } }
	cases := []struct {
		goos, exe string
		exists    func(string) bool
		owner     func(string) Kind
		msiDirs   func() []string
		want      Kind
	}{
		{"darwin", "/Applications/Hello.app/Contents/MacOS/hello", has(), owned("", ""), msi(), App},
		{"darwin", "/Users/a/hello/hello", has(), owned("", ""), msi(), Portable},
		{"windows", `C:\Users\a\AppData\Local\Programs\Hello\hello.exe`, has(`C:\Users\a\AppData\Local\Programs\Hello\uninstall.exe`), owned("", ""), msi(), NSIS},
		{"linux", "/usr/bin/hello", has(), owned("/usr/bin/hello", Deb), msi(), Deb},
		{"linux", "/opt/hello/hello", has(), owned("/opt/hello/hello", RPM), msi(), RPM},
		// A portable folder under /opt on a machine with a package
		// manager: no database lists it.
		{"linux", "/opt/hello/hello", has(), owned("/usr/bin/other", Deb), msi(), Portable},
		{"linux", "/home/a/hello/hello", has(), owned("", ""), msi(), Portable},
		// The folder an MSI recorded, with its trailing separator and
		// in another case; another folder of the same app is portable.
		{"windows", `C:\Users\a\AppData\Local\Programs\Hello\hello.exe`, has(), owned("", ""), msi(`c:\users\a\appdata\local\programs\hello\`), MSI},
		{"windows", `C:\Users\a\Downloads\Hello\hello.exe`, has(), owned("", ""), msi(`C:\Users\a\AppData\Local\Programs\Hello\`), Portable},
	}
	for _, c := range cases {
		if c.goos == "windows" && filepath.Separator != '\\' {
			continue // filepath splits on / only here
		}
		if got := detect(c.goos, c.exe, c.exists, c.owner, c.msiDirs); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.goos, c.exe, got, c.want)
		}
	}
}

// TestOwnerReadsTheDatabases: a real dpkg database lists /usr/bin/dpkg as
// a deb's and no package lists a made-up path.
func TestOwnerReadsTheDatabases(t *testing.T) {
	if _, err := os.Stat("/var/lib/dpkg/info/dpkg.list"); err != nil {
		t.Skip("no dpkg database here")
	}
	if k := owner("/usr/bin/dpkg"); k != Deb {
		t.Errorf("owner(/usr/bin/dpkg) = %q, want deb", k)
	}
	if k := owner("/opt/no-such-app/app"); k != "" {
		t.Errorf("owner of a path no package lists = %q", k)
	}
}
