// Command vendored is a fixture whose dependencies are vendored: bundle's
// hook must build it with -mod=vendor without touching vendor/.
package main

import (
	"fmt"

	"example.com/greet"
)

func main() { fmt.Println(greet.Hello("vendored")) }
