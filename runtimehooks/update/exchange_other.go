//go:build !linux && !darwin

package update

// exchange: no atomic exchange of folders here, so .app-style updates
// are refused rather than done in two steps a kill could split.
func exchange(a, b string) error { return errNoExchange }
