package worker

import (
	"os"
	"time"
)

// process is what the guard decided about this process. It is written once,
// by init, before any other code of the program can run, and only read
// afterwards, so it needs no lock.
type process struct {
	mode   string // effective guard mode
	exe    string // path to start copies of this program ("" if unknown)
	exeID  string
	depth  int
	gen    int    // generation in a chain of quick relaunches (1: a root)
	img    int    // image in a chain of quick in-place execs (1: the first)
	worker string // assigned worker name; empty unless this is a worker
	stamp  string // buildStamp; reading it here keeps it in the linked binary

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
	in, exe, tokenFree := readGuardInput()
	lifeline, grace := takeEnv(envLifeline), takeEnv(envGraceMS)
	d := decide(in)
	p := process{mode: in.mode, exe: exe, exeID: in.exeID, depth: d.depth, gen: d.gen, img: d.img, stamp: buildStamp}
	if d.message != "" {
		report(p.exe, d.message)
	}
	if d.verdict == refuse {
		os.Exit(ExitRefused)
	}
	os.Setenv(envParent, parentMarker{pid: in.pid, depth: d.depth, exeID: in.exeID}.String())
	own := lineageEntry{app: in.appID, pid: in.pid, start: in.start, at: in.now, gen: d.gen, img: d.img, worker: d.verdict == runWorker}
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

// readGuardInput reads the guard's input from the process and takes the
// one-shot variables out of the environment. It also returns the path of
// the executable and whether tokenFD may carry this process's record.
func readGuardInput() (in guardInput, exe string, tokenFree bool) {
	exe, id := executableIdentity()
	lineage, tokenFree := readLineage()
	pid := os.Getpid()
	return guardInput{
		mode:     resolveMode(buildGuard, os.Getenv(envGuard)),
		pid:      pid,
		ppid:     parentPID(),
		start:    processStart(pid),
		now:      time.Now().UnixMilli(),
		exeID:    id,
		appID:    appIdentity(exe),
		parent:   os.Getenv(envParent),
		worker:   takeEnv(envWorker),
		relaunch: takeEnv(envRelaunch) == "1",
		lineage:  lineage,
		hasLine:  lineage != nil,
	}, exe, tokenFree
}

// GuardMode returns the effective guard mode of this process: "refuse",
// "chain", "warn" or "off".
func GuardMode() string { return self.mode }

// IsWorker reports whether this process was started by Start as a worker.
// It is true from the start of the program, before Dispatch runs.
func IsWorker() bool { return self.worker != "" }
