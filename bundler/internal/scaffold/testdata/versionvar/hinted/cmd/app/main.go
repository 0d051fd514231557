package main

import (
	"fmt"

	"example.com/hinted/internal/meta"
)

var version = "dev"

func main() { fmt.Println(version, meta.AppVersion, meta.Secret) }
