// Command fixture is the project the bundle tests build and break.
package main

import "fmt"

var version = "dev"

func main() { fmt.Println("fixture", version) }
