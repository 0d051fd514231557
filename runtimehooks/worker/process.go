package worker

import (
	"os"
	"syscall"
	"time"
)

// process is what the guard decided about this process. It is written once,
// by init, before any other code of the program can run, and only read
// afterwards, so it needs no lock.
type process struct {
	mode   string // effective guard mode
	app    string // appIdentity
	depth  int
	gen    int    // place in a run of copies making the same call (1: the first)
	img    int    // image in this process (1: the first)
	worker string // assigned worker name; empty unless this is a worker
	stamp  string // buildStamp; reading it here keeps it in the linked binary
	table  *processTable

	// Worker mode only.
	args         []string       // worker arguments, taken out of os.Args
	lifeline     string         // BUNDLE_RT_LIFELINE
	grace        time.Duration  // how long fn may run on after a stop request
	stopRequests chan os.Signal // stop signals, subscribed to as early as possible
}

var self process

// The guard runs in this package's init: the go command initialises it
// before every package-level variable and init function of package main.
func init() {
	self = guard()
}

// guard decides about this process, records the decision for its
// children (in its environment and at tokenFD) and, when it refuses, exits
// with ExitRefused.
func guard() process {
	in, tokenFree := readGuardInput()
	lifeline, grace := takeEnv(envLifeline), takeEnv(envGraceMS)
	d := decide(in)
	var table *processTable
	if d.verdict != refuse && in.mode != modeOff {
		d, table = admit(d, in, osSystem{app: in.appID, maxProcs: parseMaxProcs(buildMaxProcs)})
	}
	p := process{mode: in.mode, app: in.appID, depth: d.depth, gen: d.gen, img: d.img, stamp: buildStamp, table: table}
	if d.message != "" {
		report(d.message)
	}
	if d.verdict == refuse {
		os.Exit(ExitRefused)
	}
	os.Setenv(envParent, parentMarker{pid: in.pid, depth: d.depth, app: in.appID}.String())
	own := lineageEntry{app: in.appID, pid: in.pid, start: in.start, at: in.now, gen: d.gen, img: d.img,
		worker: d.verdict == runWorker, call: in.call, root: d.root}
	record := formatLineage(append([]lineageEntry{own}, d.keep...))
	os.Setenv(envLineage, record)
	if tokenFree {
		installToken(record)
	}
	if d.verdict == runWorker {
		p.worker = in.worker
		p.lifeline = lifeline
		p.grace = parseGraceMS(grace, parseGrace(buildGrace))
		if len(os.Args) > 1 {
			p.args = append([]string(nil), os.Args[1:]...)
			os.Args = os.Args[:1] // user init code and flag.Parse see only [exe]
		}
		p.stopRequests = subscribeStopSignals()
	}
	return p
}

// guardSystem is what admit asks of the system; the simulation test
// answers for a whole tree of made-up processes.
type guardSystem interface {
	// awaitExit waits up to within for the process of e to exit and
	// reports whether it has.
	awaitExit(e lineageEntry, within time.Duration) bool
	// join takes this process's slot in its program's table, unless check
	// (when not nil) refuses on what the table holds, or the table is full.
	join(me tableEntry, check checkFunc) (refusal string, table *processTable, err error)
	// record checks the table again and writes the run record check
	// returns, unless it refuses.
	record(t *processTable, check checkFunc) (refusal string, err error)
	maxSlots() int
	// programProcesses counts the running processes of this program,
	// started ones that have not reached their guard included; false if
	// they cannot be counted.
	programProcesses() (int, bool)
}

// admit is the guard's part that depends on other processes: every copy
// joins its program's table, where check may refuse it; a restart then
// waits for its starter to exit and takes its place in the run. Each step
// is a method of decision, so the simulation test runs the same code.
func admit(d decision, in guardInput, sys guardSystem) (decision, *processTable) {
	if d.countsProcesses(in) {
		if n, ok := sys.programProcesses(); ok && n > sys.maxSlots() {
			return d.refuse(ceilingMessage(n - 1)), nil
		}
	}
	check := d.joinCheck(in, sys.maxSlots()/ceilingFactor)
	if check == nil && !rootsJoinTable {
		return d, nil
	}
	refusal, table, err := sys.join(d.entry(in), check)
	if d = d.joined(refusal, err); d.verdict == refuse || !d.restart {
		return d, table
	}
	if !sys.awaitExit(d.starter.lineageEntry, restartWait) {
		return d.waitedInVain(), table
	}
	refusal, err = sys.record(table, d.placeCheck(in))
	return d.joined(refusal, err), table
}

// countsProcesses reports whether this process counts the running
// processes of its program before it joins the table: a copy does (its
// siblings may not have reached their guard yet, so the table cannot see
// them), and so does a root whose parent is init or a service manager,
// where a copy whose link to its starter was lost ends up. A root started
// from a shell does not, which keeps the common start cheap.
func (d decision) countsProcesses(in guardInput) bool {
	return d.root != in.key() || d.restart || in.orphan
}

// waitedInVain refuses a restart whose starter did not exit: it waits for
// its copy, a nested call of the same call.
func (d decision) waitedInVain() decision {
	return d.refuse(nestedMessage(d.starter.pid, restartWait))
}

// entry is what this process writes into its table slot.
func (d decision) entry(in guardInput) tableEntry {
	return tableEntry{pid: in.pid, start: in.start, root: d.root, call: in.call, gen: d.gen, worker: d.verdict == runWorker}
}

// checkFunc is a check made while joining the table: a refusal, or the
// run record to write.
type checkFunc func(tableView) (string, *runRecord)

// joinCheck returns the check a process makes as it joins the table, or
// nil for a root that is no restart: its lineage has no other member yet,
// so it joins without reading the table (on Linux it does not join at
// all: see rootsJoinTable).
func (d decision) joinCheck(in guardInput, maxProcs int) checkFunc {
	if d.root == in.key() && !d.restart {
		return nil
	}
	return func(v tableView) (string, *runRecord) { return d.check(in, v, maxProcs), nil }
}

// placeCheck is the check a restart makes once its starter has exited.
func (d decision) placeCheck(in guardInput) checkFunc {
	return func(v tableView) (string, *runRecord) { return d.takePlace(in, v.runs) }
}

// joined applies the outcome of joining the table. Without a table the cap
// cannot be kept, and a restart is refused: its growth cannot be ruled out.
func (d decision) joined(refusal string, err error) decision {
	switch {
	case err != nil && d.restart:
		return d.refuse(noTableMessage(err))
	case refusal != "":
		return d.refuse(refusal)
	}
	return d
}

// osSystem is the real system: processes, the clock and the table.
type osSystem struct {
	app      string
	maxProcs int
}

func (s osSystem) maxSlots() int { return ceilingFactor * s.maxProcs }

func (osSystem) programProcesses() (int, bool) { return programProcesses() }

func (osSystem) awaitExit(e lineageEntry, within time.Duration) bool {
	const poll = 10 * time.Millisecond
	for deadline := time.Now().Add(within); alive(e); time.Sleep(poll) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

func (s osSystem) join(me tableEntry, check checkFunc) (string, *processTable, error) {
	t, err := openTable(s.app, s.maxSlots())
	if err != nil {
		return "", nil, err
	}
	refusal, err := t.join(me, check)
	return refusal, t, err
}

func (osSystem) record(t *processTable, check checkFunc) (string, error) {
	return t.record(check)
}

// readGuardInput reads the guard's input from the process and takes the
// one-shot variables out of the environment. It also returns whether
// tokenFD may carry this process's record. It runs at every start of a
// program, so each system call counts.
func readGuardInput() (in guardInput, tokenFree bool) {
	pid, ppid := os.Getpid(), parentPID()
	lineage, tokenFree, orphan := readLineage(ppid)
	// syscall.Getwd, not os.Getwd, which first stats $PWD and "." to
	// prefer the path the shell used: one system call, not three.
	wd, _ := syscall.Getwd()
	return guardInput{
		mode:     resolveMode(buildGuard, os.Getenv(envGuard)),
		pid:      pid,
		ppid:     ppid,
		orphan:   orphan,
		start:    ownStart(lineage == nil),
		now:      time.Now().UnixMilli(),
		appID:    appIdentity(),
		call:     callIdentity(arguments(), wd),
		parent:   os.Getenv(envParent),
		worker:   takeEnv(envWorker),
		relaunch: takeEnv(envRelaunch) == "1",
		lineage:  lineage,
		hasLine:  lineage != nil,
		listener: lineage != nil && inheritsListener(),
	}, tokenFree
}

// arguments returns the process's arguments after argv[0].
func arguments() []string {
	if len(os.Args) < 2 {
		return nil
	}
	return os.Args[1:]
}

// GuardMode returns the effective guard mode of this process: "refuse",
// "chain", "warn" or "off".
func GuardMode() string { return self.mode }

// IsWorker reports whether this process was started by Start as a worker.
// It is true from the start of the program, before Dispatch runs.
func IsWorker() bool { return self.worker != "" }
