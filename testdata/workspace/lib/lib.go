// Package lib is a workspace module the app uses without a replace.
package lib

// Name is what the app prints.
const Name = "workspace"
