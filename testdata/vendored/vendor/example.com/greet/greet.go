// Package greet is a dependency that reaches the fixture only through vendor/.
package greet

// Hello greets name.
func Hello(name string) string { return "hello, " + name }
