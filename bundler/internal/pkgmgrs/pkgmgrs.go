// Package pkgmgrs is the one list of package managers whose manifests a
// build writes. Adding one is a package under pkgmgr/ and a line here.
package pkgmgrs

import (
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/aur"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/homebrew"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/scoop"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/winget"
)

// All returns every package manager, in the order their files are made.
func All() []pkgmgr.Manager {
	return []pkgmgr.Manager{homebrew.Manager{}, scoop.Manager{}, winget.Manager{}, aur.Manager{}}
}
