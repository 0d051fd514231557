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
	does  string // how it starts the app again, as the start of Finding.Fix
	chain string // what the default guard, chain, does with the copies it starts
	fix   string // what to do under runtime.guard: refuse, which ends every such copy
}

// What the default guard does with the patterns the libraries follow: the
// copy makes another call, or it is handed a listener, or it is the second
// place of its starter's call, or a new build.
const (
	chainOtherCall = "the copy runs: it makes another call than the app"
	chainHandOver  = "each new copy runs, upgrade after upgrade: the listener handed over marks a server's successor"
	chainChild     = "each child runs: it is the second place of the main process's call"
	chainNewBuild  = "the relaunch runs: the new binary is another program, and a restart of the same build runs once its starter has exited"

	fixGuard   = "bundle with runtime.guard: chain (the default) or warn"
	fixCommand = "relaunch with worker.Command, or bundle with runtime.guard: chain (the default)"
)

// knownLibraries is the one list of self-relaunch libraries bundle reports.
var knownLibraries = []library{
	{"github.com/moby/sys/reexec", "it re-executes the app under a registered argv[0], with the arguments it is given, to run an init function", chainOtherCall, fixGuard},
	{"github.com/docker/docker/pkg/reexec", "it re-executes the app under a registered argv[0], with the arguments it is given, to run an init function", chainOtherCall, fixGuard},
	{"github.com/cloudflare/tableflip", "on upgrade it starts a new copy of the app with the same arguments and hands it the listeners", chainHandOver, fixGuard},
	{"github.com/fvbock/endless", "on SIGHUP it starts a new copy of the app with the same arguments and hands it the listeners", chainHandOver, fixGuard},
	{"github.com/facebookarchive/grace", "on SIGUSR2 it starts a new copy of the app with the same arguments and hands it the listeners", chainHandOver, fixGuard},
	{"github.com/jpillora/overseer", "its main process runs the app as its own child, with the same arguments and a marker, and starts a new child on upgrade", chainChild, fixGuard},
	{"golang.org/x/telemetry", "its Start runs the app again at once with the argument \"** telemetry **\" to upload counters and crash reports, with the child's output going nowhere", chainOtherCall, fixGuard + " (under refuse the uploads stop, silently)"},
	{"github.com/minio/selfupdate", "it replaces the app's binary, after which apps usually relaunch it", chainNewBuild, fixCommand},
	{"github.com/inconshreveable/go-update", "it replaces the app's binary, after which apps usually relaunch it", chainNewBuild, fixCommand},
	{"github.com/rhysd/go-github-selfupdate", "it replaces the app's binary, after which apps usually relaunch it", chainNewBuild, fixCommand},
	{"github.com/creativeprojects/go-selfupdate", "it replaces the app's binary, after which apps usually relaunch it", chainNewBuild, fixCommand},
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
		findings = append(findings, Finding{Call: deps[i].PkgPath, Via: l.path, Module: module, Does: l.does, Chain: l.chain, Fix: l.fix})
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
