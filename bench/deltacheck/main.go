// Command deltacheck applies a delta with the client's own code:
// deltacheck DELTA OLD-DIR NEW-DIR makes NEW-DIR from OLD-DIR's files.
package main

import (
	"fmt"
	"os"

	"github.com/bundlekit/bundle/runtimehooks/update/delta"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: deltacheck DELTA OLD-DIR NEW-DIR")
		os.Exit(2)
	}
	if err := delta.ApplyTree(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "deltacheck:", err)
		os.Exit(1)
	}
}
