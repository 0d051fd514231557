// Package assets holds the files the app serves, generated into files.go.
package assets

//go:generate go run ../../gen.go -o files.go ../../web
