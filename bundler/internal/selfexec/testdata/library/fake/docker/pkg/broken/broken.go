// Package broken does not compile, so the go command has no export data for it.
package broken

// Start would start something.
func Start() error { return undefinedStarter() }
