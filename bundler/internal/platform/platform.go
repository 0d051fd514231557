// Package platform names what bundle builds for: the operating systems it
// packages and the GOOS/GOARCH pairs it compiles. Every other package takes
// these lists from here, so each is written once.
package platform

import (
	"slices"
	"strings"
)

// Target is one GOOS/GOARCH pair, or darwin/universal for a macOS universal
// binary.
type Target struct{ OS, Arch string }

func (t Target) String() string { return t.OS + "/" + t.Arch }

// Parse reads "os/arch".
func Parse(s string) (Target, bool) {
	goos, arch, ok := strings.Cut(s, "/")
	return Target{OS: goos, Arch: arch}, ok && goos != "" && arch != ""
}

// OSes are the operating systems bundle packages for, in the order their
// formats are listed.
func OSes() []string { return []string{"linux", "windows", "darwin"} }

// Targets lists the GOOS/GOARCH pairs bundle builds and packages, sorted:
// those of `go tool dist list` for the operating systems of OSes, less the
// big-endian and 32-bit MIPS ports and big-endian ppc64.
func Targets() []string {
	t := []string{
		"darwin/amd64", "darwin/arm64",
		"linux/386", "linux/amd64", "linux/arm", "linux/arm64", "linux/loong64",
		"linux/mips64le", "linux/ppc64le", "linux/riscv64", "linux/s390x",
		"windows/386", "windows/amd64", "windows/arm64",
	}
	slices.Sort(t)
	return t
}

// ExeName is the file name of the executable binary builds for goos:
// Windows finds programs by their .exe.
func ExeName(goos, binary string) string {
	if goos == "windows" {
		return binary + ".exe"
	}
	return binary
}
