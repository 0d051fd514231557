package main

import "fmt"

var version = "dev"

var revision string

func main() { fmt.Println(version, revision) }
