package worker_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/bundlekit/bundle/runtimehooks/worker"
)

// Workers are registered in package-level variables, so they exist before
// Dispatch runs. The program's main (and TestMain) calls worker.Dispatch()
// first; a bundled program gets that call injected.
var (
	greeter = worker.Register("example-greeter", func(ctx context.Context, args []string) error {
		fmt.Printf("hello, %s\n", strings.Join(args, " "))
		return nil
	})

	server = worker.Register("example-server", func(ctx context.Context, args []string) error {
		fmt.Println("serving")
		<-ctx.Done() // Stop, or the parent's death
		fmt.Println("stopped")
		return nil
	})
)

func Example() {
	// The worker runs in a child process of this executable and writes to
	// this process's stdout.
	h, err := greeter.Start("Gopher")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := h.Wait(); err != nil {
		fmt.Println(err)
	}
	// Output: hello, Gopher
}

func ExampleHandle_Stop() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	h, err := server.StartOpts(worker.Options{Stdout: w})
	w.Close()
	if err != nil {
		fmt.Println(err)
		return
	}
	out := bufio.NewScanner(r)
	out.Scan()
	fmt.Println(out.Text()) // the worker is up

	if _, err := server.Start(); err != nil {
		fmt.Println(err) // one process per worker
	}
	err = h.Stop(0) // cancel its ctx, wait up to its grace period, then kill
	out.Scan()
	fmt.Println(out.Text())
	fmt.Println("exit error:", err)
	// Output:
	// serving
	// worker: already running
	// stopped
	// exit error: <nil>
}

// Command relaunches the program on purpose, for example after an update.
// The example has no Output: it is compiled but not run, because running it
// would start another copy of the test binary.
func ExampleCommand() {
	cmd, err := worker.Command("--restarted")
	if err != nil {
		fmt.Println(err)
		return
	}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return
	}
	os.Exit(0) // the new copy takes over
}
