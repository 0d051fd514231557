//go:build !linux

package inspect

// limitFiles does nothing where the limit cannot be set on another
// process; msiinfo runs on Linux (msitools) in practice.
func limitFiles(int, uint64) {}
