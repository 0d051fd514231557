// Package daemon uses reexec, so an app importing it depends on reexec without importing it.
package daemon

import "github.com/docker/docker/pkg/reexec"

// Start runs the daemon's helper.
func Start() error { return reexec.Command("daemon-helper").Run() }
