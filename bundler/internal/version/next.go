package version

import (
	"fmt"

	"github.com/Masterminds/semver/v3"
)

// Next returns the release after base for bump: patch, minor or major (a
// pre-release becomes its own release when that is the bump, as
// 1.3.0-rc.1 → 1.3.0 for minor), or the explicit version bump when it
// comes after base. base may be nil when there is nothing to compare; of
// says where base came from, for errors.
func Next(base *semver.Version, of, bump string) (*semver.Version, error) {
	switch bump {
	case "patch", "minor", "major":
		if base == nil {
			return nil, fmt.Errorf("--next %s: no git tag is reachable from HEAD to bump; pass --from X.Y.Z, or an explicit first version such as --next 0.1.0", bump)
		}
		pre := base.Prerelease() != ""
		switch {
		case bump == "patch" && pre,
			bump == "minor" && pre && base.Patch() == 0,
			bump == "major" && pre && base.Patch() == 0 && base.Minor() == 0:
			return semver.New(base.Major(), base.Minor(), base.Patch(), "", ""), nil
		case bump == "patch":
			return semver.New(base.Major(), base.Minor(), base.Patch()+1, "", ""), nil
		case bump == "minor":
			return semver.New(base.Major(), base.Minor()+1, 0, "", ""), nil
		default:
			return semver.New(base.Major()+1, 0, 0, "", ""), nil
		}
	}
	v, err := Parse(bump)
	if err != nil {
		return nil, fmt.Errorf("--next: %q is not patch, minor, major or a semantic version (X.Y.Z, e.g. 1.2.3 or 1.2.3-rc.1)", bump)
	}
	if base != nil && !v.GreaterThan(base) {
		return nil, fmt.Errorf("--next %s: not after %s (%s); pick a later version", bump, base, of)
	}
	return v, nil
}
