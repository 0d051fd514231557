// Package version turns the release version, a semantic version, into the
// version forms each operating system and package format expects, and
// decides which version a build uses.
//
// Semver is the single source. A leading "v" is accepted on input and never
// emitted.
package version

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Parse reads a strict semantic version ("1.2.3", "v1.2.3-rc.1+build.5").
// Unlike semver.NewVersion it does not guess missing parts: "1.2" is an
// error, because a release tool must not invent a patch number.
func Parse(s string) (*semver.Version, error) {
	v, err := semver.StrictNewVersion(strings.TrimPrefix(s, "v"))
	if err != nil {
		return nil, fmt.Errorf("%q is not a semantic version (want MAJOR.MINOR.PATCH, e.g. 1.2.3 or 1.2.3-rc.1)", s)
	}
	return v, nil
}

// preCounter returns the last numeric identifier of the pre-release
// ("rc.2" -> 2), or 0 when there is none.
func preCounter(v *semver.Version) uint64 {
	n, _ := preCounterOK(v)
	return n
}

// preCounterOK is preCounter, and whether the pre-release has a number.
func preCounterOK(v *semver.Version) (uint64, bool) {
	ids := strings.Split(v.Prerelease(), ".")
	for i := len(ids) - 1; i >= 0; i-- {
		if n, err := strconv.ParseUint(ids[i], 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

// WindowsFile is the four-part FILEVERSION/PRODUCTVERSION of a Windows
// executable's version resource: major.minor.patch.N, where N is the
// pre-release's numeric counter (0 for a release). Each part is a 16-bit
// field in VS_FIXEDFILEINFO.
func WindowsFile(v *semver.Version) ([4]uint16, error) {
	parts := [4]uint64{v.Major(), v.Minor(), v.Patch(), preCounter(v)}
	names := [4]string{"major", "minor", "patch", "pre-release counter"}
	var out [4]uint16
	for i, p := range parts {
		if p > 0xFFFF {
			return out, fmt.Errorf("version %s: %s %d exceeds 65535, the limit of a Windows file version field", v, names[i], p)
		}
		out[i] = uint16(p)
	}
	return out, nil
}

// WindowsFileString formats a four-part Windows version as "1.2.3.0".
func WindowsFileString(f [4]uint16) string {
	return fmt.Sprintf("%d.%d.%d.%d", f[0], f[1], f[2], f[3])
}

// MSIProduct is the ProductVersion of an MSI package: major.minor.build with
// major and minor at most 255 and build at most 65535. Windows Installer
// ignores anything after the third field when it decides on upgrades, so a
// pre-release and its release share a ProductVersion.
func MSIProduct(v *semver.Version) (string, error) {
	switch {
	case v.Major() > 255:
		return "", fmt.Errorf("version %s: MSI ProductVersion allows a major version of at most 255", v)
	case v.Minor() > 255:
		return "", fmt.Errorf("version %s: MSI ProductVersion allows a minor version of at most 255", v)
	case v.Patch() > 65535:
		return "", fmt.Errorf("version %s: MSI ProductVersion allows a patch version of at most 65535", v)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major(), v.Minor(), v.Patch()), nil
}

// MSIX is the Version of an MSIX package's identity: four fields of at
// most 65535, the fourth 0 (the Microsoft Store keeps it for itself). As
// with MSI, a pre-release and its release share it.
func MSIX(v *semver.Version) (string, error) {
	if v.Major() > 65535 || v.Minor() > 65535 || v.Patch() > 65535 {
		return "", fmt.Errorf("version %s: an MSIX version allows fields of at most 65535", v)
	}
	return fmt.Sprintf("%d.%d.%d.0", v.Major(), v.Minor(), v.Patch()), nil
}

// RPM returns Version and Release for an .rpm. A pre-release goes into the
// Release as "0.<pre-release>" so it sorts before the release's "1"; rpm
// does not allow "-" in either field, so it becomes "_".
func RPM(v *semver.Version) (version, release string) {
	if p := v.Prerelease(); p != "" {
		return core(v), "0." + strings.ReplaceAll(p, "-", "_")
	}
	return core(v), "1"
}

// APK returns the version and pre-release suffix of an Alpine package:
// apk knows only the suffixes alpha, beta, pre and rc, each followed by a
// number ("1.2.3_rc1"), and sorts them before the release. Any other
// pre-release becomes "pre" with its counter. A snapshot
// ("1.2.4-snapshot.abc1234") or a pre-release without a counter is numbered by
// the build's source time in Unix seconds (the commit time for a
// snapshot), so two snapshots of different commits never share a version
// and a later commit sorts after an earlier one; it fits the 32-bit
// numbers apk compares on 32-bit systems until 2038.
func APK(v *semver.Version, source time.Time) (version, suffix string) {
	if v.Prerelease() == "" {
		return core(v), ""
	}
	kind := strings.ToLower(strings.SplitN(v.Prerelease(), ".", 2)[0])
	n, counted := preCounterOK(v)
	switch kind {
	case "alpha", "beta", "pre", "rc":
	default:
		// A snapshot's number is its commit hash when that is all digits:
		// no order, so the time numbers it.
		if !counted || kind == "snapshot" {
			n = uint64(max(source.Unix(), 0))
		}
		kind = "pre"
	}
	return core(v), fmt.Sprintf("%s%d", kind, n)
}

// Arch is the pkgver of an Arch Linux package. pacman sorts "1.2.3rc.1"
// before "1.2.3" (letters after a common prefix mean an earlier version);
// pkgver may not hold "-", so it becomes "_".
func Arch(v *semver.Version) string {
	return core(v) + strings.ReplaceAll(v.Prerelease(), "-", "_")
}

// MacShort is CFBundleShortVersionString: three numeric fields.
func MacShort(v *semver.Version) string { return core(v) }

// MacBundle is CFBundleVersion. macOS allows at most three numeric fields,
// so a pre-release shares its release's value: the sequence never goes
// backwards, but rc.1 and rc.2 of one version are not told apart.
func MacBundle(v *semver.Version) string { return core(v) }

func core(v *semver.Version) string {
	return fmt.Sprintf("%d.%d.%d", v.Major(), v.Minor(), v.Patch())
}
