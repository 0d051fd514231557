package update

import "golang.org/x/sys/unix"

// exchange swaps two folders in one step (renamex_np RENAME_SWAP): at
// every moment each path holds one whole bundle.
func exchange(a, b string) error { return unix.RenamexNp(a, b, unix.RENAME_SWAP) }
