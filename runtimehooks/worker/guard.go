package worker

import (
	"fmt"
	"strings"
)

// Guard modes, chosen at build time (buildGuard) or at run time (BUNDLE_RT_GUARD).
const (
	modeRefuse = "refuse" // a direct self re-exec exits 77
	modeWarn   = "warn"   // a direct self re-exec prints a warning and runs
	modeOff    = "off"    // no check at all, not even the depth limit
)

// maxDepth is the number of nested generations of hooked processes allowed
// below a root. It is a backstop against respawn loops that pass through
// another program (app -> shell -> app), which the direct-parent check
// cannot see; only modeOff disables it.
const maxDepth = 8

// buildGuard and buildGrace are set by the bundler with
// -ldflags "-X <importpath>.buildGuard=warn -X <importpath>.buildGrace=5s".
// -X only works on string variables without a computed initializer.
//
// buildStamp is set to "bundle-runtime-hook/v1;guard=…;grace=…;end", a
// string `bundle inspect` finds in the file to say that the hook is
// compiled in and with which settings.
var (
	buildGuard string
	buildGrace string
	buildStamp string
)

// resolveMode returns the effective guard mode: a valid runtime override wins
// over a valid build-time setting, and anything unknown means refuse.
func resolveMode(build, override string) string {
	for _, m := range []string{override, build} {
		switch m = strings.ToLower(strings.TrimSpace(m)); m {
		case modeRefuse, modeWarn, modeOff:
			return m
		}
	}
	return modeRefuse
}

// guardInput is everything the guard decision depends on, read from the
// process and its environment by readGuardInput.
type guardInput struct {
	mode     string
	pid      int    // this process
	ppid     int    // its real parent
	exeID    string // this executable
	parent   string // BUNDLE_RT_PARENT as inherited
	worker   string // BUNDLE_RT_WORKER as inherited
	relaunch bool   // BUNDLE_RT_RELAUNCH=1 as inherited
}

// verdict is what the process does after the guard.
type verdict int

const (
	runMain   verdict = iota // continue into the program's main()
	runWorker                // run the assigned worker from Dispatch
	refuse                   // exit with ExitRefused
)

// decision is the outcome of the guard.
type decision struct {
	verdict verdict
	depth   int    // this process's generation, recorded in its marker
	message string // printed to stderr when non-empty (refusal or warning)
}

// decide is the guard: a pure function of its input, so it can be tested
// without starting processes.
func decide(in guardInput) decision {
	parent, ok := parseParentMarker(in.parent)
	if !ok {
		return decision{verdict: runMain} // fresh start: a new root
	}
	if parent.pid == in.pid {
		// syscall.Exec replaced the program in place: no new process.
		return decision{verdict: runMain, depth: parent.depth}
	}
	direct := parent.pid == in.ppid
	sameExe := parent.exeID == in.exeID
	depth := parent.depth + 1
	tooDeep := depth > maxDepth && in.mode != modeOff

	switch {
	case in.worker != "" && direct && sameExe:
		if tooDeep {
			return decision{verdict: refuse, depth: depth, message: depthMessage(depth, parent.pid)}
		}
		return decision{verdict: runWorker, depth: depth}
	case in.relaunch && direct:
		return decision{verdict: runMain} // worker.Command: an intended relaunch starts a new root
	case tooDeep:
		return decision{verdict: refuse, depth: depth, message: depthMessage(depth, parent.pid)}
	case direct && sameExe && in.mode == modeRefuse:
		return decision{verdict: refuse, depth: depth, message: refuseMessage(parent.pid)}
	case direct && sameExe && in.mode == modeWarn:
		return decision{verdict: runMain, depth: depth, message: warnMessage(parent.pid)}
	}
	// Another bundled program, or this one reached through another program.
	return decision{verdict: runMain, depth: depth}
}

const guardFix = "start helpers with worker.Register/Start, relaunch with worker.Command, or set runtime.guard (BUNDLE_RT_GUARD=warn|off)"

func refuseMessage(parentPID int) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() again in a child started by its own executable (parent pid %d); %s", parentPID, guardFix)
}

func warnMessage(parentPID int) string {
	return fmt.Sprintf("bundle runtime guard: warning: main() runs again in a child started by its own executable (parent pid %d); %s", parentPID, guardFix)
}

func depthMessage(depth, parentPID int) string {
	return fmt.Sprintf("bundle runtime guard: refused to start generation %d of bundled processes (limit %d, parent pid %d): a program keeps starting itself; only BUNDLE_RT_GUARD=off disables this limit", depth, maxDepth, parentPID)
}
