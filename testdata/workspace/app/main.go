// Command app is a fixture built in go.work workspace mode: bundle's hook
// must work without -modfile and without touching go.work.
package main

import (
	"fmt"

	"example.com/lib"
)

func main() { fmt.Println("hello from the", lib.Name) }
