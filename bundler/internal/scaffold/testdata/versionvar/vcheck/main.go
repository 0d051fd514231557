package main

import (
	"fmt"
	"os"
	"regexp"
)

var version = "unknown-dev"

// allowed is what a release's version looks like.
var allowed = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[a-z0-9.]+)?$`)

func main() {
	if version != "unknown-dev" && !allowed.MatchString(version) {
		fmt.Fprintln(os.Stderr, "invalid version", version)
		os.Exit(1)
	}
	fmt.Println(version)
}
