package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Workers of the test binary, registered like an application's.
var (
	probeWorker = Register("test-probe", probe)

	readyWorker = Register("test-ready", func(ctx context.Context, args []string) error {
		fmt.Println("ready")
		<-ctx.Done()
		return context.Cause(ctx)
	})

	stubbornWorker = Register("test-stubborn", func(ctx context.Context, args []string) error {
		fmt.Println("ready")
		time.Sleep(time.Hour) // ignores ctx
		return nil
	})

	failingWorker = Register("test-fail", func(ctx context.Context, args []string) error {
		return errors.New("boom")
	})

	orphanWorker = Register("test-orphan", func(ctx context.Context, args []string) error {
		fmt.Printf("worker=%d %s\n", os.Getpid(), kernelSupervision())
		<-ctx.Done()
		return os.WriteFile(args[0], []byte(context.Cause(ctx).Error()), 0o644)
	})
)

// probe reports, one fact per line, what a worker process sees and may do.
func probe(ctx context.Context, args []string) error {
	fmt.Printf("args=%s\n", strings.Join(args, "|"))
	fmt.Printf("osargs=%d\n", len(os.Args))
	fmt.Printf("isworker=%v\n", IsWorker())
	fmt.Printf("assignment=%q\n", os.Getenv(envWorker))
	_, err := readyWorker.Start()
	fmt.Printf("nested=%v\n", errors.Is(err, ErrNested))
	_, err = Command()
	fmt.Printf("command=%v\n", errors.Is(err, ErrNested))

	// The bug itself: run this executable again expecting something else.
	var stderr bytes.Buffer
	naive := exec.Command(executable(), "-test.run=^$") // would run no test, were it let through
	naive.Stderr = &stderr
	fmt.Printf("naive=%d\n", exitCodeOf(naive.Run()))
	fmt.Printf("naivemsg=%s\n", strings.TrimSpace(stderr.String()))

	fmt.Println("ready")
	<-ctx.Done()
	return nil
}
