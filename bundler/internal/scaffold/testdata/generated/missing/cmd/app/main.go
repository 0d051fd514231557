package main

import "example.com/missing/internal/assets"

func main() { println(len(assets.Files())) }
