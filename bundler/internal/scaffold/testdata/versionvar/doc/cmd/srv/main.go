package main

import (
	"fmt"

	"example.com/doc"
)

func main() { fmt.Println(doc.CustomVersion) }
