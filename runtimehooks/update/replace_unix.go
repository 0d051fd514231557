//go:build !windows

package update

import "os"

// replace puts src at dst in one rename, over a running executable too.
func replace(src, dst, aside string) error { return os.Rename(src, dst) }
