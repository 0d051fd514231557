package feed

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a semantic version. The module keeps to the standard library
// and golang.org/x/sys so that apps import it cheaply, hence this small
// parser instead of a semver library; it follows semver.org's precedence.
type Version struct {
	Major, Minor, Patch uint64
	Pre                 []string // dot-separated pre-release identifiers
}

// ParseVersion reads MAJOR.MINOR.PATCH[-PRE][+BUILD], with or without a
// leading v.
func ParseVersion(s string) (Version, error) {
	v := Version{}
	rest := strings.TrimPrefix(s, "v")
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		rest = rest[:i]
	}
	core, pre, hasPre := strings.Cut(rest, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("version %q is not MAJOR.MINOR.PATCH", s)
	}
	nums := [3]*uint64{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') {
			return v, fmt.Errorf("version %q: %q is not a number without leading zeros", s, p)
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return v, fmt.Errorf("version %q: %q is not a number", s, p)
		}
		*nums[i] = n
	}
	if hasPre {
		v.Pre = strings.Split(pre, ".")
		for _, id := range v.Pre {
			if !identifier(id) || (len(id) > 1 && id[0] == '0' && strings.Trim(id, "0123456789") == "") {
				return v, fmt.Errorf("version %q: pre-release %q", s, pre)
			}
		}
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		for _, id := range strings.Split(s[i+1:], ".") {
			if !identifier(id) {
				return v, fmt.Errorf("version %q: build metadata %q", s, s[i+1:])
			}
		}
	}
	return v, nil
}

// identifier reports whether id is a non-empty semver identifier.
func identifier(id string) bool {
	return id != "" && strings.Trim(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") == ""
}

// Compare returns -1, 0 or 1 as v is lower than, equal to or higher than w.
func (v Version) Compare(w Version) int {
	for _, d := range [][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if d[0] != d[1] {
			return cmp(d[0] < d[1])
		}
	}
	switch {
	case len(v.Pre) == 0 && len(w.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1 // a release is higher than its pre-releases
	case len(w.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		a, b := v.Pre[i], w.Pre[i]
		if a == b {
			continue
		}
		an, aerr := strconv.ParseUint(a, 10, 64)
		bn, berr := strconv.ParseUint(b, 10, 64)
		switch {
		case aerr == nil && berr == nil:
			if an == bn {
				continue
			}
			return cmp(an < bn)
		case aerr == nil:
			return -1 // numeric identifiers are lower than alphanumeric ones
		case berr == nil:
			return 1
		}
		return cmp(a < b)
	}
	if len(v.Pre) == len(w.Pre) {
		return 0
	}
	return cmp(len(v.Pre) < len(w.Pre))
}

func cmp(less bool) int {
	if less {
		return -1
	}
	return 1
}

func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if len(v.Pre) > 0 {
		s += "-" + strings.Join(v.Pre, ".")
	}
	return s
}
