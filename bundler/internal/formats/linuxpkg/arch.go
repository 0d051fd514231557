package linuxpkg

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/compile"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// archFix is a package architecture nfpm gets wrong: the name to give
// instead, or, when the format's distribution has no port for the
// architecture, why no package is made.
type archFix struct{ name, noPort string }

// archFixes are where nfpm v2.47.0 does not name a package's architecture
// as its distribution does, by format and the architecture nfpm is given
// (arch). Every other target nfpm names right (TestPackageArch holds each
// name): from its tables archToDebian, archToRPM, archToAlpine and
// archToArchLinux, or by keeping a GOARCH that already is the
// distribution's name, such as deb's loong64 or rpm's s390x. A name given
// here is one those tables lack, so nfpm keeps it.
var archFixes = map[Format]map[string]archFix{
	// Alpine's ports (wiki.alpinelinux.org/wiki/Architecture) are x86,
	// x86_64, armhf (ARMv6), armv7, aarch64, loongarch64, ppc64le, riscv64
	// and s390x.
	APK: {
		"arm5":     {noPort: "Alpine has no ARMv5 port (armhf, its oldest ARM port, is ARMv6); set GOARM=6 or 7 in build.env, or take apk out of formats.linux"},
		"mips64le": {noPort: "Alpine has no mips64el port"},
	},
	// Arch's ports outside x86_64 name these two as their GNU triplets do:
	// Arch POWER's powerpc64le, and Parabola's mips64el.
	ArchLinux: {
		"mips64le": {name: "mips64el"},
		"ppc64le":  {name: "powerpc64le"},
	},
}

// arch is the architecture nfpm is given for f's package of t: the
// GOARCH, and for arm the ARM version the executable is compiled for too
// ("arm7", which nfpm names armhf or armel for deb, armv7hl, armv6hl or
// armv5tel for rpm, armv7 or armhf for apk, and armv7h, armv6h or arm,
// Arch Linux ARM's ARMv5 port, for Arch); or its fix in archFixes. It
// fails when f cannot label t.
func (f Format) arch(t platform.Target, b config.Build) (string, error) {
	a, goarm := t.Arch, ""
	if t.Arch == "arm" {
		v, from := compile.GOARM(b)
		goarm = fmt.Sprintf("GOARM=%s (from %s)", v, from)
		// The go command's reading (internal/buildcfg): a version, maybe
		// followed by ",softfloat" or ",hardfloat". The version names the
		// package: no distribution has a port for ARMv5 with a VFP
		// (5,hardfloat), and an ARMv6 or 7 one runs an executable that
		// leaves its VFP unused (softfloat).
		switch version := strings.TrimSuffix(strings.TrimSuffix(v, ",softfloat"), ",hardfloat"); version {
		case "5", "6", "7":
			a += version
		default:
			return "", exitcode.Config(fmt.Errorf("%s is not an ARM version go build knows; set GOARM to 5, 6 or 7 in build.env, optionally followed by ,softfloat or ,hardfloat", goarm))
		}
	}
	fix, ok := archFixes[f][a]
	switch {
	case !ok:
		return a, nil
	case fix.noPort == "":
		return fix.name, nil
	case goarm != "":
		return "", exitcode.Config(fmt.Errorf("%s: %s", goarm, fix.noPort))
	}
	return "", exitcode.Config(errors.New(fix.noPort))
}

// SupportsArch leaves a target out of a format whose distribution has no
// port for its architecture, as the plan does for msi and arm64. The ARM
// version is checked by Check.
func (f Format) SupportsArch(arch string) (bool, string) {
	if fix := archFixes[f][arch]; fix.noPort != "" {
		return false, f.name + ": " + fix.noPort
	}
	return true, ""
}

var _ packager.ArchLimited = Format{}
