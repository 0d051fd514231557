// Command brokendep imports a dependency that does not compile.
package main

import "github.com/docker/docker/pkg/broken"

func main() { _ = broken.Start() }
