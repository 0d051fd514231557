package update

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Detect says how the running copy was installed, from where its
// executable is: inside a .app bundle; under /usr with a package
// database that lists it; beside the uninstaller an NSIS install writes;
// else a portable folder. An app that knows better sets Config.Kind.
func Detect() Kind {
	exe, err := os.Executable()
	if err != nil {
		return Portable
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return detect(runtime.GOOS, exe, fileExists)
}

func detect(goos, exe string, exists func(string) bool) Kind {
	dir := filepath.Dir(exe)
	switch goos {
	case "darwin":
		if strings.HasSuffix(dir, ".app/Contents/MacOS") {
			return App
		}
	case "windows":
		if exists(filepath.Join(dir, "uninstall.exe")) {
			return NSIS
		}
	case "linux":
		if strings.HasPrefix(exe, "/usr/") || strings.HasPrefix(exe, "/opt/") {
			for _, db := range []struct {
				path string
				kind Kind
			}{{"/var/lib/dpkg/status", Deb}, {"/lib/apk/db/installed", APK}, {"/var/lib/pacman/local", ArchLinux}, {"/var/lib/rpm", RPM}} {
				if exists(db.path) {
					return db.kind
				}
			}
		}
	}
	return Portable
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
