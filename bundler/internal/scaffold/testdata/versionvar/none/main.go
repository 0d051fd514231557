package main

import "fmt"

const version = "1.0"

var versions = []string{version}

var Version func() string

func main() { fmt.Println(versions, Version) }
