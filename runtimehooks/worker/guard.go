package worker

import (
	"fmt"
	"strings"
)

// Guard modes, chosen at build time (buildGuard) or at run time (BUNDLE_RT_GUARD).
const (
	modeRefuse = "refuse" // a copy of the program started by the program, in any way, exits 77
	modeChain  = "chain"  // one relaunch runs; a copy started quickly by a relaunched copy exits 77
	modeWarn   = "warn"   // what refuse refuses prints a warning and runs
	modeOff    = "off"    // no check at all, not even the depth limit
)

// maxDepth is the number of nested live generations of hooked processes
// allowed below a root. It is a backstop against respawn loops that no
// other rule sees (slow ones, or ones that pass through another bundled
// program); only modeOff disables it.
const maxDepth = 8

// maxChain is the first generation of a chain of quick relaunches that is
// refused: a root (1) may relaunch itself once (2), the copy may not (3).
const maxChain = 3

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
// over a valid build-time setting, and anything unknown means refuse. The
// bundler always builds a mode in (chain unless bundle.yaml says otherwise),
// so refuse applies only to programs built without bundle or with a mangled
// setting, where the strictest mode is the safe guess.
func resolveMode(build, override string) string {
	for _, m := range []string{override, build} {
		switch m = strings.ToLower(strings.TrimSpace(m)); m {
		case modeRefuse, modeChain, modeWarn, modeOff:
			return m
		}
	}
	return modeRefuse
}

// guardInput is everything the guard decision depends on, read from the
// process, its environment and its lineage descriptor by readGuardInput.
type guardInput struct {
	mode     string
	pid      int    // this process
	ppid     int    // its real parent
	start    int64  // its OS start id (processStart)
	now      int64  // wall clock, Unix ms
	exeID    string // this executable's path
	appID    string // this executable's content (appIdentity)
	parent   string // BUNDLE_RT_PARENT as inherited
	worker   string // BUNDLE_RT_WORKER as inherited
	relaunch bool   // BUNDLE_RT_RELAUNCH=1 as inherited
	lineage  []ancestor
	hasLine  bool // a lineage record was inherited
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
	depth   int            // live hooked ancestors, recorded in BUNDLE_RT_PARENT
	gen     int            // generation in a chain of quick relaunches
	img     int            // image in a chain of quick in-place execs
	keep    []lineageEntry // inherited entries this process passes on after its own
	message string         // printed to stderr when non-empty (refusal or warning)
}

// decide is the guard: a pure function of its input, so it can be tested
// without starting processes.
func decide(in guardInput) decision {
	env, envOK := parseParentMarker(in.parent)
	envDirect := envOK && env.pid == in.ppid
	envSameExe := envOK && env.exeID == in.exeID

	// syscall.Exec keeps the process (pid and start id) and the descriptor:
	// the nearest entry is then the image this one replaced.
	var prev *lineageEntry
	inherited := in.lineage
	if len(inherited) > 0 && inherited[0].pid == in.pid && inherited[0].start == in.start {
		prev = &inherited[0].lineageEntry
		inherited = inherited[1:]
	}
	d := decision{gen: 1, img: 1}
	d.keep, d.depth = pass(inherited, in.now)
	if !in.hasLine && envOK {
		// No record reached this process (Windows with a cleared
		// environment, or a program that closed every descriptor and
		// dropped the variable): count as the marker does.
		d.depth = env.depth
		if env.pid != in.pid {
			d.depth++
		}
	}
	tooDeep := d.depth > maxDepth && in.mode != modeOff
	own := nearest(inherited, in.appID)

	switch {
	case in.worker != "" && envDirect && envSameExe:
		if tooDeep {
			return d.refuse(depthMessage(d.depth, env.pid))
		}
		d.verdict = runWorker
		d.gen = 2
		if own != nil {
			d.gen = own.gen + 1 // so that a worker's quick copies are refused
		}
		return d
	case in.relaunch && envDirect:
		// worker.Command: an intended relaunch starts a new root.
		return decision{verdict: runMain, gen: 1, img: 1}
	case tooDeep:
		return d.refuse(depthMessage(d.depth, in.ppid))
	case in.mode == modeOff:
		return d
	case prev != nil:
		return d.inPlace(in.mode, *prev, in.now)
	case !in.hasLine && envOK && env.pid == in.pid:
		return d // in-place exec that lost its record: as before
	}

	// A new process. Is it a copy of this program started by this program,
	// in whatever way (directly, through a shell, a link, a copy, a double
	// fork, after its starter exited)?
	var selfChild, direct bool
	by, after := in.ppid, int64(-1)
	switch {
	case own != nil:
		selfChild, direct, by, after = true, own.pid == in.ppid && own.alive, own.pid, in.now-own.at
		if quick(own.at, in.now) {
			d.gen = own.gen + 1
		}
	case envDirect && envSameExe:
		// The record was lost on the way, the marker was not.
		selfChild, direct, d.gen = true, true, 2
	}
	chained := d.gen >= maxChain
	switch {
	case in.mode == modeRefuse && selfChild && direct:
		return d.refuse(refuseMessage(in.ppid))
	case in.mode == modeRefuse && selfChild:
		return d.refuse(refuseViaMessage(by, after))
	case in.mode == modeChain && chained:
		return d.refuse(chainMessage(d.gen, by, after))
	case in.mode == modeWarn && (selfChild || chained) && direct:
		d.message = warnMessage(in.ppid)
	case in.mode == modeWarn && (selfChild || chained):
		d.message = warnViaMessage(by)
	}
	return d
}

// inPlace decides about an image that replaced prev in the same process.
// It is no new process, so only the chain of quick execs counts: without
// that, a program that execs itself from main() would run main() forever.
func (d decision) inPlace(mode string, prev lineageEntry, now int64) decision {
	switch {
	case !quick(prev.at, now):
		// A slow exec (a self-update in place) starts a new chain.
	case prev.worker:
		d.gen = prev.gen + 1 // main() in a worker's process: as a quick copy of the worker
	default:
		d.gen, d.img = prev.gen, prev.img+1
	}
	bad := d.gen >= maxChain || d.img >= maxChain
	switch {
	case bad && (mode == modeChain || mode == modeRefuse):
		images := d.img
		if d.gen > images {
			images = d.gen
		}
		return d.refuse(inPlaceMessage(images, now-prev.at))
	case bad && mode == modeWarn:
		d.message = warnViaMessage(prev.pid)
	}
	return d
}

func (d decision) refuse(message string) decision {
	d.verdict, d.message = refuse, message
	return d
}

// pass returns the inherited entries a process passes on, and how many of
// them are alive: the live ones (its hooked ancestors), and the exited
// ones that started within relaunchWindow, which the chain rule needs
// when a program relaunches itself and exits.
func pass(inherited []ancestor, now int64) (keep []lineageEntry, live int) {
	for _, a := range inherited {
		if len(keep) == maxLineage-1 {
			break
		}
		if a.alive {
			live++
		}
		if a.alive || quick(a.at, now) {
			keep = append(keep, a.lineageEntry)
		}
	}
	return keep, live
}

// nearest returns the nearest entry of the program app, or nil.
func nearest(lineage []ancestor, app string) *ancestor {
	for i := range lineage {
		if lineage[i].app == app {
			return &lineage[i]
		}
	}
	return nil
}

const guardFix = "start helpers with worker.Register/Start, relaunch with worker.Command, or set runtime.guard (BUNDLE_RT_GUARD=chain|warn|off)"

const chainFix = "start helpers with worker.Register/Start, relaunch with worker.Command, or set runtime.guard (BUNDLE_RT_GUARD=off)"

func refuseMessage(parentPID int) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() again in a child started by its own executable (parent pid %d); %s", parentPID, guardFix)
}

func refuseViaMessage(by int, after int64) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() again in a process descended from its own executable (pid %d%s); %s", by, afterText(after), guardFix)
}

func chainMessage(gen, by int, after int64) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() in generation %d of a chain of quick self-relaunches (started by pid %d%s): a program that runs itself again from main() would keep starting copies; %s", gen, by, afterText(after), chainFix)
}

func inPlaceMessage(gen int, after int64) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() in generation %d of a chain of quick self-relaunches (in place, by syscall.Exec%s): a program that runs itself again from main() would never stop; %s", gen, afterText(after), chainFix)
}

func warnMessage(parentPID int) string {
	return fmt.Sprintf("bundle runtime guard: warning: main() runs again in a child started by its own executable (parent pid %d); %s", parentPID, guardFix)
}

func warnViaMessage(by int) string {
	return fmt.Sprintf("bundle runtime guard: warning: main() runs again in a process descended from its own executable (pid %d); %s", by, guardFix)
}

func depthMessage(depth, parentPID int) string {
	return fmt.Sprintf("bundle runtime guard: refused to start generation %d of bundled processes (limit %d, parent pid %d): a program keeps starting itself; only BUNDLE_RT_GUARD=off disables this limit", depth, maxDepth, parentPID)
}

func afterText(ms int64) string {
	if ms < 0 {
		return ""
	}
	return fmt.Sprintf(", %dms after it started", ms)
}
