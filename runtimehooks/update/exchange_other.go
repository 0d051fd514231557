//go:build !linux && !darwin

package update

import "errors"

// exchange: no atomic exchange of folders here, so .app-style updates
// are refused rather than done in two steps a kill could split.
func exchange(a, b string) error {
	return errors.New("this system cannot exchange two folders atomically")
}
