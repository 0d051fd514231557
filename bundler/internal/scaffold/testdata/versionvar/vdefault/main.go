package main

import "fmt"

var version = "v0.0.0-dev"

func main() { fmt.Println(version) }
