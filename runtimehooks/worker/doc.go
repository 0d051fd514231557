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
// or init function of package main. A child started directly by the same
// executable without a worker assignment exits with ExitRefused and one line
// on stderr saying why and what to do (on Windows also appended to
// <UserCacheDir>/bundle-runtime/<program>.log, as GUI programs have no
// stderr). Its mode is "refuse" by default; the bundler can build in "warn"
// (print the line and continue) or "off", and the environment variable
// BUNDLE_RT_GUARD overrides both. Independently of how a program reaches
// itself again (app -> shell -> app), more than 8 nested generations of
// hooked processes are refused in every mode but "off". In-place
// syscall.Exec, other bundled programs and Command relaunches are allowed.
// GuardMode returns the effective mode.
//
// The bundler sets the build defaults with
//
//	-ldflags "-X <importpath>.buildGuard=warn -X <importpath>.buildGrace=10s"
//
// # Environment protocol (ProtocolVersion "v1")
//
//	BUNDLE_RT_PARENT=v1:<pid>:<depth>:<exeid>
//	    set by every hooked process in its own environment. exeid is the
//	    FNV-64a hash (hex) of the resolved executable path, lower-cased on
//	    Windows and macOS. A child is a direct self re-exec when pid is its
//	    real parent and exeid its own.
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
//	BUNDLE_RT_GUARD=refuse|warn|off
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
