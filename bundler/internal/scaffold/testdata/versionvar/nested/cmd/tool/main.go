package main

import (
	"fmt"

	"example.com/nested/v2/internal/build"
)

func main() { fmt.Println(build.Version) }
