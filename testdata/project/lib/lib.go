// Package lib is not a main package, for the test that main: must be one.
package lib

// Answer is here so the package is not empty.
const Answer = 42
