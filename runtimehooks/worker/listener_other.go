//go:build !unix

package worker

// inheritsListener reports false: servers on Windows do not hand their
// listeners on through inherited handles the way Unix servers do.
func inheritsListener() bool { return false }
