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
// stderr).
//
// Real programs run themselves again on purpose: start-and-detach, a
// supervisor's restarts, shell aliases, a task runner calling itself, a
// picker whose preview runs the picker, a daemon's helper, prefork servers,
// restarts and self-updates. What made the frozen-app fork bomb deadly is
// different in kind, not in speed: a copy that does exactly what its
// starter did (the same program, the same arguments, the same folder),
// which starts another such copy, again and again, with the number of live
// copies growing. So the default mode judges sameness and growth and never
// the clock, and every bound below holds whether a copy starts after a
// millisecond or after ten seconds of work.
//
// What the guard knows about a process: its program (appIdentity: the
// build information and size of its executable, shared by links and
// copies), its call (callIdentity: its arguments after argv[0] and its
// working folder), its markers (a worker assignment from its real parent,
// a worker.Command relaunch, and on Unix an inherited listening socket,
// which graceful-restart libraries hand to the copy that takes over from
// its starter), its lineage record (its hooked ancestors,
// nearest first, with each one's call and place in a run; see below), and,
// from the process table, which processes of its program run now.
//
// Its starter is the nearest process of the same program in its lineage,
// however many other programs (a shell, a launcher) lie between. A copy
// whose call is its starter's continues its starter's run of that call,
// unless it holds a listener handed over (a server's successor, which may
// run while its starter still serves); any other process begins a run.
// The modes:
//
//	chain   the bundler's default (bundle.yaml runtime.guard), built into
//	        every bundled program. The first two places of a run run:
//	        a root, and its copies of its own call (one relaunch, a
//	        prefork server's children, a supervisor's restarted child,
//	        a daemon started with its own arguments). A copy at place 3
//	        or later is the fork-bomb pattern unless it is a restart.
//	        Such a copy first claims its place as it joins the table:
//	        another copy of its call at that place or later, running or
//	        waiting, or a run record saying the run got there, refuses
//	        it at once. Then it waits up to 5 s (restartWait) for its
//	        starter to exit, is refused if the starter still runs (a
//	        nested call of the same call, which would wait for ever),
//	        and writes the run record. A restart loop (start a copy,
//	        exit) runs for ever with at most 2 processes; copies that
//	        each start several copies stop at place 3, or go on as one
//	        line, and the copies that lose are refused as they reach
//	        their guard, not when their starter exits. A copy started
//	        by a worker that still runs is
//	        refused: a worker runs its function, never the program. An
//	        image that replaced its process by syscall.Exec runs: it
//	        starts no process.
//	refuse  no copy of the program that the program started, in any way,
//	        runs main(): direct children, children through a shell, a
//	        launcher, env, a link, a copy or a double fork, children
//	        that outlive their starter, however long after. One
//	        syscall.Exec in place is let through. Workers and Command
//	        are the sanctioned ways. The fallback when no valid mode is
//	        built in or set: a program that imports this package but was
//	        not bundled cannot say what its author chose, so it gets the
//	        strictest mode.
//	warn    prints the line where refuse would refuse, and runs main().
//	off     no check at all, not even the limits below.
//
// In every mode but off, three limits hold whatever a program does with
// its arguments (a program that passes new arguments each time is
// recursion, not a naive relaunch):
//
//   - more than 8 nested live generations of hooked processes, of this
//     program or others, are refused (the depth limit);
//   - a lineage (a root and every process of its program that descends
//     from it) has at most runtime.max_procs (64 by default) live
//     processes;
//   - a program has at most 4 x runtime.max_procs live processes per user
//     in its table; on Linux a copy, and a root whose parent is init or a
//     service manager (where a copy that lost every link to its starter
//     ends up), also counts the program's processes in /proc, which
//     include copies that have not reached their guard yet.
//
// The bounds, for a naive program that starts k copies of itself with its
// own arguments after any amount of work. The guard's own, whatever the
// timing: at most k + 2 processes past their guard at once: the root, its
// k copies at place 2 and one copy from place 3 on waiting for its
// starter. A copy runs at place 3 or later only once its starter, one of
// those copies, has exited, and a restart claims its place before it
// waits, so no second one waits beside it.
// Counting copies still starting, which each reach their guard and are
// refused: nested (waiting for its copies), at most 1 + k + k² alive at
// once and 1 + k runs of main(); as a relay (starting copies, then
// exiting, at once or seconds later), 1 + k + k² in the first wave and no
// growth, with up to 2(k-1) more for a moment when start-up times differ
// threefold (the losers of the line's last two places still starting)
// and one more when processes take seconds to exit; with k = 1, a restart
// loop, at most 2 (3 for a moment when the first process takes its time
// to exit, as its copy runs at once and starts the next). A copy that
// stalls before its guard (a loaded machine) is alive beside these until
// it is refused. A simulation drives decide and check through 100,000
// random launch trees to hold the package to these bounds (sim_test.go),
// and the scenario tests run real processes, jailed.
//
// Workers and Command relaunches behave as before in every mode; a Command
// relaunch starts a new root and a new lineage. The bundler builds the
// settings in with
//
//	-ldflags "-X <importpath>.buildGuard=chain -X <importpath>.buildGrace=10s -X <importpath>.buildMaxProcs=64"
//
// and the environment variable BUNDLE_RT_GUARD overrides the mode.
// GuardMode returns the effective mode.
//
// # The process table
//
// One per program and user, shared by all its processes, with a slot per
// live process: its pid and start, lineage, call and place. On Unix it is
// a file in a folder only the user may use (/dev/shm/bundle-rt-<uid> on
// Linux, else /tmp/bundle-rt-<uid>, whatever the environment says); each
// process holds a record lock on its slot, which the kernel drops when the
// process dies, kill -9 included, and checkers serialise on another lock.
// On Windows it is a named section of shared memory and a named mutex;
// a slot is live while a running process has its pid and creation time.
// A restart's slot, taken before it waits for its starter, holds its
// place in the run meanwhile. Run records, which outlive their processes,
// remember the highest place admitted in each run, so that a copy that
// starts late finds its place taken. A root joins without reading the
// table; a copy reads it.
//
// # Lineage: why a descriptor
//
// The environment cannot carry lineage: programs clear it (cmd.Env =
// []string{}, env -i, sudo, pkexec), replace it, or pass a stale or
// forged marker. So every hooked process also writes a lineage record into
// a small unlinked file (memfd_create on Linux, an unlinked temporary file
// elsewhere on Unix) and installs it at descriptor 97 without
// close-on-exec. Every process it starts, directly or not, inherits that
// descriptor: os/exec only closes close-on-exec descriptors, shells and
// env pass theirs on, links and copies of the executable and double forks
// change nothing, and syscall.Exec keeps it. A starting process reads the
// record at 97 (fstat must say regular file and the magic must match, or
// it is some other program's descriptor and is left alone), decides, and
// replaces it with its own record. The record is one line, nearest
// process first:
//
//	bundle-rt-lineage v2 <app>:<pid>:<start>:<at>:<gen>:<img>:<m|w>:<call>:<rootpid>:<rootstart> ...
//
// app and call are the ids above. start is the OS start id of the process
// (Linux: start time since boot; Windows: creation time; 0 elsewhere), so
// that an entry with this process's pid and start is the image this one
// replaced by syscall.Exec, and a reused pid is not taken for a live
// ancestor. at is when its guard ran (wall clock, ms; for messages only);
// gen is its place in its run, img its image in its process; w marks a
// worker; root names its lineage. The entries after the first are the
// process's hooked ancestors that still run (their number is the depth)
// and the nearest 4 that exited, however long ago (a relay's copy needs
// its exited starter), at most 14. The same record is kept in
// BUNDLE_RT_LINEAGE, which is used when no descriptor brings one.
//
// A launcher such as sudo or pkexec clears the environment and closes
// every descriptor above stderr. On Linux a process that inherited no
// record therefore walks up at most 4 ancestors and takes the record of
// the nearest one that has one: at its descriptor 97 (the starter, while
// it runs) or in its initial environment (sudo keeps the environment the
// starter gave it while it waits for the copy).
//
// Windows passes no descriptors through os/exec (it lists the handles a
// child inherits). There every hooked process publishes its record in a
// named file mapping, Local\bundle-rt-<pid>-<creation time>, that it holds
// open for its life, and in a volatile (in-memory) registry value,
// HKCU\Software\bundle-runtime\lineage\<pid>, that outlives it; values
// older than an hour are pruned once the key holds more than 256. A
// starting process walks up at most four ancestors by their parent pids
// (each must have been created before its child, or its pid was reused)
// and takes the record of the nearest hooked one: from its mapping while it
// runs, from the registry once it has exited. That record wins over the
// environment, so through cmd /c, a launcher that waits, a relay, a copy
// or a hard link, a cleared, replaced or forged environment changes
// nothing.
//
// Limits. The descriptor is inherited by every descendant, also by other
// programs (a shell, a browser): it is one read-only descriptor of an
// unlinked file of about 1 KB at most. Nothing links a copy to its
// starter when the starter has exited and the copy was started with a
// cleared environment and no descriptors by a launcher that replaces
// itself with it (pkexec, systemd-run --scope) or by a service manager
// (systemd-run): such a copy is a root, and only the per-program limit
// bounds such a chain; on Linux it counts copies before they reach their
// guard, elsewhere only those in the table, and not where a subreaper
// other than systemd takes the orphans. On Windows the walk stops at an
// exited program that is not hooked (cmd /c start, a double launch) when
// the environment was also cleared, and after an exited hooked process a
// program that reuses its pid may pass its record on; processes are not
// counted outside the table. macOS and the BSDs have no walk (the
// standard library cannot list a process's parent cheaply there) and tell
// processes apart by pid only. A restart whose starter takes more than 5 s
// to exit after starting it is refused as a nested call. A prefork child
// that restarts itself while its siblings run, and a second restart from
// the same place of a run, are refused. The table needs a private folder
// (or, on Windows, the session's named objects): without one the lineage
// cap is not kept, and a copy at place 3 or later is refused.
//
// # Environment protocol (ProtocolVersion "v1")
//
//	BUNDLE_RT_PARENT=v1:<pid>:<depth>:<app>
//	    set by every hooked process in its own environment. app is its
//	    program's id (see Lineage). A child is a direct copy when pid is
//	    its real parent and app its own. Workers and Command are recognised
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
