package selfexec

import (
	"cmp"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// library is a dependency known to start the app's own executable again.
type library struct {
	path  string // module path, or package path when the code sits inside a larger module
	does  string // what it does, as the start of Finding.Fix
	guard string // the runtime.guard setting to suggest
}

// knownLibraries is the one list of self-relaunch libraries bundle warns about.
// Graceful-restart and reexec libraries start a second copy of the app as a direct child, which
// runtime.guard: refuse stops, so under refuse they need "warn" (the default, chain, lets them run).
// Self-update libraries only replace the binary; the app's own relaunch afterwards is what the guard
// sees, and worker.Command lets that through.
var knownLibraries = []library{
	{"github.com/moby/sys/reexec", "it re-executes the app under a registered argv[0] to run an init function", "warn"},
	{"github.com/docker/docker/pkg/reexec", "it re-executes the app under a registered argv[0] to run an init function", "warn"},
	{"github.com/cloudflare/tableflip", "it starts a new copy of the app to take over its listeners on upgrade", "warn"},
	{"github.com/jpillora/overseer", "its main process runs the app as its own child and restarts it on upgrade", "warn"},
	{"github.com/fvbock/endless", "it starts a new copy of the app on SIGHUP for a graceful restart", "warn"},
	{"github.com/facebookarchive/grace", "it starts a new copy of the app on SIGUSR2 for a graceful restart", "warn"},
	{"github.com/minio/selfupdate", "it replaces the app's binary, after which apps usually relaunch it", "refuse"},
	{"github.com/inconshreveable/go-update", "it replaces the app's binary, after which apps usually relaunch it", "refuse"},
	{"github.com/rhysd/go-github-selfupdate", "it replaces the app's binary, after which apps usually relaunch it", "refuse"},
	{"github.com/creativeprojects/go-selfupdate", "it replaces the app's binary, after which apps usually relaunch it", "refuse"},
}

func (l library) fix() string {
	if l.guard == "warn" {
		return l.does + "; bundle with runtime.guard: warn, or chain (the default)"
	}
	return l.does + "; to keep runtime.guard: " + l.guard + ", relaunch with worker.Command"
}

// matches reports whether a dependency package is, or sits below, the library's path.
// A package path always starts with its module path, so this also matches whole modules.
func (l library) matches(p *packages.Package) bool {
	return hasPathPrefix(p.PkgPath, l.path)
}

// findLibraries reports each known library the app depends on once, naming the first of its
// packages in deps, sorted by module path.
func findLibraries(deps []*packages.Package) []Finding {
	var findings []Finding
	for _, l := range knownLibraries {
		i := slices.IndexFunc(deps, l.matches)
		if i < 0 {
			continue
		}
		module := l.path
		if deps[i].Module != nil {
			module = deps[i].Module.Path
		}
		findings = append(findings, Finding{Call: deps[i].PkgPath, Via: l.path, Module: module, Fix: l.fix()})
	}
	slices.SortFunc(findings, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Module, b.Module), strings.Compare(a.Call, b.Call))
	})
	return findings
}

// hasPathPrefix reports whether path is prefix or below it, so "a/b" does not match "a/bc".
func hasPathPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
