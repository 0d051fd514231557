// Package worker runs helper processes of a program as re-executed copies of
// its own executable, and keeps such copies from running main() again.
//
// # The problem
//
// A program that starts exec.Command(os.Executable(), ...) (or os.Args[0],
// or /proc/self/exe) expecting some other program to run, runs main() again
// in the child, which starts another child, and so on: the frozen-app fork
// bomb. Packaged ("frozen") applications hit it whenever code written for a
// separate helper binary is bundled into one executable.
//
// # Workers
//
// A worker is a function that runs in a child process of the running
// executable. Register workers in package-level variables, so they exist
// before any init function runs:
//
//	var ui = worker.Register("ui", func(ctx context.Context, args []string) error {
//		return serveUI(ctx, args) // return when ctx is done
//	})
//
//	func main() {
//		worker.Dispatch() // needed for go run and go test; bundled apps get it injected
//		h, err := ui.Start("--port", "8080")
//		...
//		defer h.Stop(0)
//	}
//
// In the child, Dispatch runs the worker instead of main and exits. Each
// worker has at most one live process per parent (Start returns
// ErrAlreadyRunning), and a worker cannot start workers (ErrNested), so the
// process tree stays two deep. The worker's ctx is cancelled when the parent
// calls Handle.Stop or dies; context.Cause(ctx) tells which. The worker has
// its grace period (Options.Grace, 5s by default) to return before it is
// killed or exits with ExitStopIgnored.
//
// Command is the explicit way to run the program again as a new root
// (restart, self-update).
//
// # The guard
//
// The guard runs in this package's init, before any package-level variable
// or init function of package main. It decides whether this process may run
// main(); when not, it exits with ExitRefused and one line on stderr that
// names the pattern and the fix (on Windows also appended to
// <UserCacheDir>/bundle-runtime/<program>.log, as GUI programs have no
// stderr). What made the frozen-app fork bomb deadly is the unbounded chain,
// every copy starting the next, not one relaunch: real programs relaunch
// themselves on purpose (start-and-detach, supervisors, shell aliases,
// nested calls, self-update). The modes:
//
//	refuse  no copy of the program that the program started, in any way,
//	        runs main(): direct children, children through a shell, env, a
//	        link, a copy or a double fork, children that outlive their
//	        starter, whether started at once or later. One syscall.Exec in
//	        place is let through, as it starts no new process. Workers and
//	        Command are the sanctioned ways. The fallback when no valid mode
//	        is built in or set: a program that imports this package but was
//	        not bundled cannot say what its author chose, so it gets the
//	        strictest mode.
//	chain   the bundler's default (bundle.yaml runtime.guard), which every
//	        bundled program has built in. A copy started within
//	        relaunchWindow (2s) of its starter's start continues the
//	        starter's chain: generation 2 runs, generation 3 is refused. A copy started later begins a new chain at
//	        generation 1. So start-and-detach, a supervisor's restarts, a
//	        call through a shell, a nested call and a self-update that waits
//	        before it relaunches all run as they would unbundled, and a
//	        naive relaunch from main() stops at its third generation, with
//	        at most three processes alive, however it launches. A relay
//	        (relaunch, then exit) is a chain too: generation 3 is refused
//	        whether or not generation 2 still runs. Quick execs in place
//	        form their own chain, with the same limit.
//	warn    prints the line where refuse would refuse, and runs main().
//	off     no check at all, not even the depth limit.
//
// Independently of the mode (except off), more than 8 nested live
// generations of hooked processes, of this program or others, are refused:
// the backstop for a loop no other rule sees, such as a slow one. Workers
// and Command relaunches behave as before in every mode. The bundler builds
// a mode in with
//
//	-ldflags "-X <importpath>.buildGuard=chain -X <importpath>.buildGrace=10s"
//
// and the environment variable BUNDLE_RT_GUARD overrides it. GuardMode
// returns the effective mode.
//
// # Lineage: why a descriptor
//
// The environment cannot carry lineage: programs clear it (cmd.Env =
// []string{}, env -i), replace it, or pass a stale or forged marker. So
// every hooked process also writes a lineage record into a small unlinked
// file (memfd_create on Linux, an unlinked temporary file elsewhere on Unix)
// and installs it at descriptor 97 without close-on-exec. Every process it
// starts, directly or not, inherits that descriptor: os/exec only closes
// close-on-exec descriptors, shells and env pass theirs on, links and copies
// of the executable and double forks change nothing, and syscall.Exec keeps
// it. A starting process reads the record at 97 (fstat must say regular
// file and the magic must match, or it is some other program's descriptor
// and is left alone), decides, and replaces it with its own record. The
// record is one line, nearest process first:
//
//	bundle-rt-lineage v1 <app>:<pid>:<start>:<at>:<gen>:<img>:<m|w> ...
//
// app identifies the program by content, so that copies and links share
// it: a hash of the build information the go command embeds (module, main
// package, version, VCS revision, build settings) and the file size; it
// costs no read of the executable. start is the OS start id of the process
// (Linux: start time since boot; Windows: creation time; 0 elsewhere), so
// that an entry with this process's pid and start is the image this one
// replaced by syscall.Exec, and a reused pid is not taken for a live
// ancestor. at is when its guard ran (wall clock, ms); gen and img are its
// generations in the relaunch and the in-place chain; w marks a worker,
// whose quick copies are refused. The entries after the first are the
// process's hooked ancestors that still run (their number is the depth) and
// those that exited within relaunchWindow (the chain rule needs them for
// relays), at most 18. The same record is kept in BUNDLE_RT_LINEAGE, which
// is used when no other channel brings one.
//
// Windows passes no descriptors through os/exec (it lists the handles a
// child inherits). There every hooked process publishes its record in a
// named file mapping, Local\bundle-rt-<pid>-<creation time>, that it holds
// open for its life, and in a volatile (in-memory) registry value,
// HKCU\Software\bundle-runtime\lineage\<pid>, that outlives it; values
// older than a minute are pruned once the key holds more than 32. A
// starting process walks up at most four ancestors by their parent pids
// (each must have been created before its child, or its pid was reused)
// and takes the record of the nearest hooked one: from its mapping while it
// runs, from the registry once it has exited if it started within
// relaunchWindow (a quick relay; a later one starts a new chain anyway,
// and Windows soon gives an exited process's pid to another program). That
// record wins over the environment, so through cmd /c, a launcher that
// waits, a relay, a copy or a hard link, a cleared, replaced or forged
// environment changes nothing.
//
// Limits. The descriptor is inherited by every descendant, also by other
// programs (a shell, a browser): it is one read-only descriptor of an
// unlinked file of about 1 KB at most. A program that closes every descriptor
// before it starts the next (a classic daemoniser) cuts the descriptor
// chain; the environment then carries the record, and a program that does
// both loses it. On Windows the walk stops at an exited program that is not
// hooked: a copy started through a launcher that exits at once (cmd /c
// start, a double launch) has only the environment, and one that also
// clears or forges the environment is not recognised; nor, with a cleared
// environment, is a copy more than four processes below its hooked
// starter, or one whose starter ran for longer than relaunchWindow before
// it relaunched and exited (which only mode refuse would refuse). The
// relaunch window is a guess at the border between a program and a
// person: a naive relaunch that first works
// for longer than 2s is not a chain (it is also no fork bomb: one process
// per 2s, and the depth limit holds if they wait for each other), and a
// legitimate quick relaunch of a relaunched copy (a nested call of a nested
// call) is refused in mode chain. A clock step of more than the window
// between two starts breaks a chain.
//
// # Environment protocol (ProtocolVersion "v1")
//
//	BUNDLE_RT_PARENT=v1:<pid>:<depth>:<exeid>
//	    set by every hooked process in its own environment. exeid is the
//	    FNV-64a hash (hex) of the resolved executable path, lower-cased on
//	    Windows and macOS. A child is a direct self re-exec when pid is its
//	    real parent and exeid its own. Workers and Command are recognised
//	    by it; without a lineage record, the guard falls back to it.
//	BUNDLE_RT_LINEAGE=bundle-rt-lineage v1 ...
//	    the lineage record (above), also at descriptor 97 on Unix, and in
//	    a file mapping and the registry on Windows.
//	BUNDLE_RT_WORKER=<name>
//	    set by Start in the child only; honoured only in a direct child of
//	    the same executable, and removed at once.
//	BUNDLE_RT_LIFELINE=<fd or handle>
//	    the read end of a pipe whose write end only the parent holds; EOF
//	    means stop. On Windows the parent first writes a 'G' byte once the
//	    child is in its job object.
//	BUNDLE_RT_GRACE_MS=<ms>
//	    the worker's grace period after a stop request.
//	BUNDLE_RT_RELAUNCH=1
//	    set by Command; lets one direct child through the guard as a new root.
//	BUNDLE_RT_GUARD=refuse|chain|warn|off
//	    the run-time override of the guard mode.
//
// # Exit codes
//
//	0   the worker returned nil or a context.Canceled error
//	1   the worker returned another error (also: killed by Stop on Windows)
//	77  ExitRefused: the guard refused to run main() again
//	78  ExitUnknownWorker: the assigned worker is not registered
//	79  ExitStopIgnored: the worker did not return within its grace period
//	    after a stop request
//
// # Supervision
//
// On Linux the worker gets SIGTERM when its parent dies (Pdeathsig, set from
// a dedicated OS thread that lives as long as the worker) and runs in its
// own process group, which Stop kills. On macOS and the BSDs the lifeline
// alone tells a worker that its parent is gone. On Windows every worker is in
// a job object that kills it when the parent exits. Workers ignore SIGPIPE so
// that their clean-up runs even when their output leads to a dead parent.
//
// The package imports only the standard library, so the bundler can copy its
// source into any module.
package worker
