package worker

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Guard modes, chosen at build time (buildGuard) or at run time (BUNDLE_RT_GUARD).
const (
	modeRefuse = "refuse" // a copy of the program started by the program, in any way, exits 77
	modeChain  = "chain"  // copies run unless a run of identical calls nests or grows (see the package doc)
	modeWarn   = "warn"   // what refuse refuses prints a warning and runs
	modeOff    = "off"    // no check at all, not even the depth limit
)

// maxDepth is the number of nested live generations of hooked processes
// allowed below a root. It is a backstop against recursion that passes
// new arguments each time (or passes through another bundled program);
// only modeOff disables it.
const maxDepth = 8

// sameCallLimit is the first place in a run of copies making the same call
// that runs only as a restart: its starter has exited, and no other copy of
// that call runs in the lineage. A root (1) may start copies of its own call
// (2: a prefork server, a daemon's child, a supervisor's restarts); a copy
// that does the same again is what the frozen-app fork bomb does.
const sameCallLimit = 3

// restartWait is how long such a copy waits for its starter to exit: a
// program that restarts itself starts the new copy and then exits, which
// may take a moment after the copy began. A starter that still runs after
// that is waiting for its copy, a nested call of the same call, and the
// copy is refused. The wait decides nothing about bounds: those hold
// whether the starter exits at once or never.
const restartWait = 5 * time.Second

// defaultMaxProcs is the hard cap on the live processes of one lineage
// when the bundler set none (runtime.max_procs). A user's table holds
// ceilingFactor times as many processes of one program, which bounds
// copies that no channel links to their starter.
const (
	defaultMaxProcs = 64
	ceilingFactor   = 4
)

// buildGuard, buildGrace and buildMaxProcs are set by the bundler with
// -ldflags "-X <importpath>.buildGuard=warn -X <importpath>.buildGrace=5s ...".
// -X only works on string variables without a computed initializer.
//
// buildStamp is set to "bundle-runtime-hook/v1;guard=…;grace=…;end", a
// string `bundle inspect` finds in the file to say that the hook is
// compiled in and with which settings.
//
// buildAppID is the program's identity (appIdentity), 16 hex digits.
var (
	buildGuard    string
	buildGrace    string
	buildMaxProcs string
	buildAppID    string
	buildStamp    string
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

// parseMaxProcs reads the lineage cap set at build time; anything invalid
// gives the default.
func parseMaxProcs(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 2 || n > 4096 {
		return defaultMaxProcs
	}
	return n
}

// guardInput is everything the guard decision depends on, read from the
// process, its environment and its lineage record by readGuardInput.
type guardInput struct {
	mode     string
	pid      int    // this process
	ppid     int    // its real parent
	start    int64  // its OS start id (processStart)
	now      int64  // wall clock, Unix ms
	appID    string // this program (appIdentity)
	call     string // its arguments and working folder (callIdentity)
	parent   string // BUNDLE_RT_PARENT as inherited
	worker   string // BUNDLE_RT_WORKER as inherited
	relaunch bool   // BUNDLE_RT_RELAUNCH=1 as inherited
	lineage  []ancestor
	hasLine  bool // a lineage record was inherited
	orphan   bool // none was, and the parent is init or a service manager
	listener bool // it inherited a listening socket: a server's successor
}

func (in guardInput) key() procKey { return procKey{in.pid, in.start} }

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
	gen     int            // place in a run of copies making the same call
	img     int            // image in this process (syscall.Exec in place)
	root    procKey        // the lineage this process counts in
	keep    []lineageEntry // inherited entries this process passes on after its own
	message string         // printed to stderr when non-empty (refusal or warning)

	// starter is the nearest entry of this program in the lineage: the
	// copy that started this one, directly or through other programs.
	starter *ancestor
	// restart: this copy continues a run of one call past sameCallLimit-1,
	// so it runs only as a restart: once starter has exited, and as the
	// only copy at its place in the run (see check).
	restart bool
}

// decide is the first half of the guard: a pure function of what the
// process inherited. What it cannot know alone (whether a starter exits,
// which copies of the program run) admit asks the system, and check
// decides from it.
func decide(in guardInput) decision {
	env, envOK := parseParentMarker(in.parent)
	envDirect := envOK && env.pid == in.ppid
	envSameApp := envOK && env.app == in.appID

	// syscall.Exec keeps the process (pid and start id) and the descriptor:
	// the nearest entry is then the image this one replaced.
	var prev *lineageEntry
	inherited := in.lineage
	// A start below 0 is a token (ownStart), and the pid alone says it.
	if len(inherited) > 0 && inherited[0].pid == in.pid && (inherited[0].start == in.start || inherited[0].start < 0) {
		prev = &inherited[0].lineageEntry
		inherited = inherited[1:]
	}
	d := decision{gen: 1, img: 1, root: in.key()}
	d.keep, d.depth = pass(inherited)
	if !in.hasLine && envOK {
		// No record reached this process: count as the marker does.
		d.depth = env.depth
		if env.pid != in.pid {
			d.depth++
		}
	}
	tooDeep := d.depth > maxDepth && in.mode != modeOff
	own := nearest(inherited, in.appID)
	if own != nil {
		d.root = own.root
	}

	switch {
	case in.worker != "" && envDirect && envSameApp:
		if tooDeep {
			return d.refuse(depthMessage(d.depth, env.pid))
		}
		d.verdict = runWorker
		return d
	case in.relaunch && envDirect:
		// worker.Command: an intended relaunch starts a new root and a
		// new lineage.
		return decision{verdict: runMain, gen: 1, img: 1, root: in.key()}
	case tooDeep:
		return d.refuse(depthMessage(d.depth, in.ppid))
	case in.mode == modeOff:
		return d
	case prev != nil:
		return d.inPlace(in, *prev)
	case !in.hasLine && envOK && env.pid == in.pid:
		return d // in-place exec that lost its record: as before
	}

	// A new process. Is it a copy of this program started by this program,
	// in whatever way (directly, through a shell, a link, a copy, a double
	// fork, a launcher, after its starter exited)?
	switch {
	case own != nil:
		d.starter = own
		direct := own.pid == in.ppid && own.alive
		switch {
		case own.worker && own.alive && in.mode != modeWarn:
			return d.refuse(workerCopyMessage(own.pid))
		case in.mode == modeRefuse && direct:
			return d.refuse(refuseMessage(in.ppid))
		case in.mode == modeRefuse:
			return d.refuse(refuseViaMessage(own.pid, in.now-own.at))
		case in.mode == modeWarn && direct:
			d.message = warnMessage(in.ppid)
		case in.mode == modeWarn:
			d.message = warnViaMessage(own.pid)
		case own.call == in.call && !in.listener:
			d.gen = own.gen + 1
			d.restart = d.gen >= sameCallLimit
		}
	case envDirect && envSameApp:
		// The record was lost on the way, the marker was not: a direct
		// copy whose starter's place in a run is unknown.
		switch in.mode {
		case modeRefuse:
			return d.refuse(refuseMessage(in.ppid))
		case modeWarn:
			d.message = warnMessage(in.ppid)
		}
		d.gen = 2
	}
	return d
}

// inPlace decides about an image that replaced prev in the same process.
// It is no new process, so it cannot multiply anything: in mode chain it
// runs (a restart in place), except main() in a worker's process, which is
// a copy of the worker. Mode refuse lets one exec through.
func (d decision) inPlace(in guardInput, prev lineageEntry) decision {
	d.root, d.img = prev.root, prev.img+1
	if prev.call == in.call {
		d.gen = prev.gen
	}
	switch {
	case prev.worker && in.mode != modeWarn:
		return d.refuse(workerCopyMessage(prev.pid))
	case prev.worker || d.img >= sameCallLimit && in.mode == modeWarn:
		d.message = warnViaMessage(prev.pid)
	case d.img >= sameCallLimit && in.mode == modeRefuse:
		return d.refuse(inPlaceMessage(d.img))
	}
	return d
}

func (d decision) refuse(message string) decision {
	d.verdict, d.message = refuse, message
	return d
}

// pass returns the inherited entries a process passes on, nearest first,
// and how many of them are alive: every live one (its hooked ancestors,
// which count towards maxDepth) and the nearest maxExited that exited,
// which a copy started by a relay (relaunch, then exit) needs to know its
// starter. No entry is dropped for its age: a rule that forgets a starter
// after a while lets a slow relay run for ever.
func pass(inherited []ancestor) (keep []lineageEntry, live int) {
	exited := 0
	for _, a := range inherited {
		if len(keep) == maxLineage-1 {
			break
		}
		switch {
		case a.alive:
			live++
		case exited == maxExited:
			continue
		default:
			exited++
		}
		keep = append(keep, a.lineageEntry)
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

// check is the second half of the guard, a pure function too: given what
// the table holds as this process joins it, it returns why this process
// may not run ("" if it may). maxProcs caps the live copies in one
// lineage. A restart may take the next place of its run only, and claims
// it as it joins, before it waits for its starter: a copy of its call at
// that place or later that runs or waits already, or a run record that
// says the run got there, refuses it. A run of copies that each start
// several copies would otherwise branch, and the copies that lose would
// wait beside the one that wins, alive, until their starters exit.
func (d decision) check(in guardInput, v tableView, maxProcs int) string {
	members := 0
	for _, e := range v.live {
		// The copies of the lineage: its root does not count, as Linux
		// roots do not join the table.
		if e.root == d.root && e.key() != in.key() && e.key() != e.root {
			members++
		}
	}
	if members >= maxProcs {
		return capMessage(members, maxProcs)
	}
	if !d.restart {
		return ""
	}
	for _, e := range v.live {
		if e.root == d.root && e.call == in.call && e.gen >= d.gen && e.key() != in.key() {
			return growthMessage(d.gen, e.gen)
		}
	}
	refusal, _ := d.takePlace(in, v.runs)
	return refusal
}

// takePlace is a restart's last step, once its starter has exited: the
// run record to write, or why the place is taken. A copy that starts
// late, after the one that took its place has gone, finds the record.
func (d decision) takePlace(in guardInput, runs []runRecord) (string, *runRecord) {
	for _, r := range runs {
		if r.root == d.root && r.call == in.call && r.gen >= d.gen {
			return growthMessage(d.gen, r.gen), nil
		}
	}
	return "", &runRecord{root: d.root, call: in.call, gen: d.gen}
}

const guardFix = "start helpers with worker.Register/Start, relaunch with worker.Command, or set runtime.guard (BUNDLE_RT_GUARD=chain|warn|off)"

const chainFix = "start helpers with worker.Register/Start, relaunch with worker.Command, or set runtime.guard (BUNDLE_RT_GUARD=off)"

func refuseMessage(parentPID int) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() again in a child started by its own executable (parent pid %d); %s", parentPID, guardFix)
}

func refuseViaMessage(by int, after int64) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() again in a process descended from its own executable (pid %d%s); %s", by, afterText(after), guardFix)
}

func nestedMessage(starter int, waited time.Duration) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() in the third copy of one call (the same arguments in the same folder), nested: its starter, pid %d, still runs after %v; a program that runs itself again from main() would keep starting copies; %s", starter, waited, chainFix)
}

func growthMessage(place, taken int) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() in copy %d of one call (the same arguments in the same folder): another copy has taken that place in the run (it reached copy %d), and copies that each start copies would multiply; %s", place, taken, chainFix)
}

func noTableMessage(err error) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() in the third copy of one call (the same arguments in the same folder): without the process table (%v) its growth cannot be ruled out; %s", err, chainFix)
}

func workerCopyMessage(workerPID int) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() in a process started by a worker of the same program (worker pid %d): a worker that runs the program again would start its workers again; %s", workerPID, chainFix)
}

func inPlaceMessage(img int) string {
	return fmt.Sprintf("bundle runtime guard: refused to run main() in image %d of one process (syscall.Exec of its own executable, again): a program that runs itself again from main() would never stop; %s", img, guardFix)
}

func capMessage(members, maxProcs int) string {
	return fmt.Sprintf("bundle runtime guard: refused to start a process of this program: %d copies of it run already below the process the user started (the limit, runtime.max_procs, is %d); a program keeps starting itself; %s", members, maxProcs, chainFix)
}

func ceilingMessage(running int) string {
	return fmt.Sprintf("bundle runtime guard: refused to start a process of this program: %d of its processes run already (the limit is 4 x runtime.max_procs); a program keeps starting itself; %s", running, chainFix)
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
