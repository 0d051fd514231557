package worker

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// Func is the body of a worker process. ctx is cancelled when the parent asks
// the worker to stop (Handle.Stop) or dies; context.Cause(ctx) says which.
// Returning nil or a context.Canceled error exits 0, any other error exits 1.
type Func func(ctx context.Context, args []string) error

var (
	// ErrAlreadyRunning is returned by Start while an earlier Handle of the
	// same worker is still live: each worker has at most one process.
	ErrAlreadyRunning = errors.New("worker: already running")

	// ErrNested is returned by Start and Command in a worker process: a
	// worker cannot start workers or relaunch the program.
	ErrNested = errors.New("worker: a worker process cannot start workers")
)

// Worker is a registered worker function. Start runs it in a child process
// of the running executable.
type Worker struct {
	name string
	fn   Func

	mu   sync.Mutex
	busy bool // a Handle of this worker is live (or being started)
}

// registry holds every registered worker by name.
var registry = struct {
	sync.Mutex
	workers map[string]*Worker
}{workers: make(map[string]*Worker)}

// Register registers fn as the worker called name and returns it. Call it in
// a package-level variable declaration,
//
//	var ui = worker.Register("ui", runUI)
//
// so the worker exists before any init function runs, Dispatch included.
// Register panics if name is empty or already registered, or fn is nil.
func Register(name string, fn Func) *Worker {
	if name == "" {
		panic("worker.Register: empty worker name")
	}
	if fn == nil {
		panic("worker.Register: nil func for worker " + name)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.workers[name]; dup {
		panic("worker.Register: worker " + name + " registered twice")
	}
	w := &Worker{name: name, fn: fn}
	registry.workers[name] = w
	return w
}

// lookup returns the worker registered as name, or nil.
func lookup(name string) *Worker {
	registry.Lock()
	defer registry.Unlock()
	return registry.workers[name]
}

// Name returns the name the worker was registered with.
func (w *Worker) Name() string { return w.name }

// Options configure a worker process.
type Options struct {
	Args   []string  // passed to the worker's Func; the worker's os.Args stays [exe]
	Stdin  io.Reader // nil: the null device
	Stdout io.Writer // nil: the parent's os.Stdout
	Stderr io.Writer // nil: the parent's os.Stderr
	Dir    string    // working directory; "" means the parent's
	Env    []string  // extra KEY=VALUE pairs on top of the parent's environment

	// Grace is how long the worker may run on after a stop request (Stop,
	// or the parent's death) before Stop kills it or it exits by itself with
	// ExitStopIgnored. 0 means the build default: 5s unless the bundler set
	// another.
	Grace time.Duration
}

// Start starts the worker in a child process with the given arguments.
// It is StartOpts with only Args set.
func (w *Worker) Start(args ...string) (*Handle, error) {
	return w.StartOpts(Options{Args: args})
}

// StartOpts starts the worker in a child process of the running executable.
// It returns ErrNested in a worker process and ErrAlreadyRunning while an
// earlier Handle of this worker is live; once that Handle's Done channel is
// closed, the worker can be started again.
func (w *Worker) StartOpts(o Options) (*Handle, error) {
	if IsWorker() {
		return nil, ErrNested
	}
	if !w.reserve() {
		return nil, ErrAlreadyRunning
	}
	h, err := spawn(w, o)
	if err != nil {
		w.release()
		return nil, err
	}
	return h, nil
}

// reserve claims the worker's single slot.
func (w *Worker) reserve() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busy {
		return false
	}
	w.busy = true
	return true
}

// release frees the worker's slot once its process is gone.
func (w *Worker) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.busy = false
}
