// Command updatestart is the start-up benchmark of runtimehooks/update:
// built with -tags update it imports the package (whose init looks for an
// interrupted update) and calls update.Healthy, as an app that updates
// itself does at every start; built without, it does neither. Both have
// the worker package's guard, which bundle builds into every app, so the
// difference is what the update package adds. bench/hook.sh compares the
// two.
package main

import (
	"fmt"

	_ "github.com/bundlekit/bundle/runtimehooks/worker" // what bundle injects
)

// healthy is what an updating app does at start; nothing without the tag.
var healthy = func() error { return nil }

func main() {
	if err := healthy(); err != nil {
		fmt.Println(err)
	}
	fmt.Println("started")
}
