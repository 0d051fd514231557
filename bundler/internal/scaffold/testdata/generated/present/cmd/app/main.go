package main

import "example.com/present/internal/assets"

func main() { println(len(assets.Files())) }
