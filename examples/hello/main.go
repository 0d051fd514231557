// Command hello is the smallest app bundle packages: a CLI that greets and
// reports its version, which bundle sets at build time through
// build.version_var in bundle.yaml.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
)

// version is replaced by bundle with -X main.version=<version>.
var version = "dev"

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("hello %s (%s/%s)\n", version, runtime.GOOS, runtime.GOARCH)
		return
	}
	name := "world"
	if flag.NArg() > 0 {
		name = flag.Arg(0)
	}
	if _, err := fmt.Printf("Hello, %s!\n", name); err != nil {
		os.Exit(1)
	}
}
