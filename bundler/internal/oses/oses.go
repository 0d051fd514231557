// Package oses lists the steps operating systems add to a build, as
// formats lists the formats. Adding one is a package under
// bundler/internal/platform and a line here.
package oses

import (
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/platform/macos"
	"github.com/bundlekit/bundle/bundler/internal/platform/windows"
)

// All is every operating system's step, in the order a build calls them.
func All() []osstep.Step {
	return []osstep.Step{
		windows.Step{},
		macos.Step{},
	}
}
