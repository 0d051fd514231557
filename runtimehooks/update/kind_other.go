//go:build !windows

package update

// msiDirs: only Windows has MSI installs.
func msiDirs() []string { return nil }
