//go:build unix || windows

package worker

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment of the table-join helper: the table and what to join as.
const (
	envTableDir   = "BUNDLE_RT_TEST_TABLE_DIR"
	envTableApp   = "BUNDLE_RT_TEST_TABLE_APP"
	envTableSlots = "BUNDLE_RT_TEST_TABLE_SLOTS"
	envTableCap   = "BUNDLE_RT_TEST_TABLE_CAP" // members of lineage 1:1 allowed besides the joiner
)

// tableJoinHelper opens the table named in its environment, says "ready",
// and when a line comes on stdin joins it as a member of lineage 1:1,
// refusing when envTableCap members run already; it prints "joined" or
// "refused: …", and then holds its slot until stdin closes.
func tableJoinHelper() int {
	stdin := bufio.NewReader(os.Stdin)
	slots, _ := strconv.Atoi(os.Getenv(envTableSlots))
	limit, _ := strconv.Atoi(os.Getenv(envTableCap))
	t, err := openTestTable(os.Getenv(envTableDir), os.Getenv(envTableApp), slots)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("ready")
	stdin.ReadString('\n')
	root := procKey{1, 1}
	me := tableEntry{pid: os.Getpid(), start: processStart(os.Getpid()), root: root, call: "00000000000000c1", gen: 1}
	refusal, err := t.join(me, func(v tableView) (string, *runRecord) {
		return decision{root: root}.check(guardInput{pid: me.pid, start: me.start}, v, limit), nil
	})
	switch {
	case err != nil:
		fmt.Println("error:", err)
		return 1
	case refusal != "":
		fmt.Println("refused:", refusal)
		return 0
	}
	fmt.Println("joined")
	stdin.ReadString('\n')
	return 0
}

// joiner is a running table-join helper.
type joiner struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	line  string
}

// startJoiners starts n table-join helpers, lets them join at the same
// moment, and returns them once each has said whether it joined.
func startJoiners(t *testing.T, dir, app string, slots, limit, n int) []*joiner {
	t.Helper()
	joiners := make([]*joiner, n)
	var wg sync.WaitGroup
	for i := range joiners {
		cmd := helperCommand(t, "table-join", envTableDir+"="+dir, envTableApp+"="+app,
			envTableSlots+"="+strconv.Itoa(slots), envTableCap+"="+strconv.Itoa(limit))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		j := &joiner{cmd: cmd, stdin: stdin, out: bufio.NewReader(out)}
		joiners[i] = j
		t.Cleanup(func() { j.stdin.Close(); j.cmd.Process.Kill(); j.cmd.Wait() })
		if line, _ := j.out.ReadString('\n'); line != "ready\n" {
			t.Fatalf("table-join helper: %q", line)
		}
	}
	for _, j := range joiners {
		wg.Add(1)
		go func(j *joiner) {
			defer wg.Done()
			io.WriteString(j.stdin, "go\n")
			line, _ := j.out.ReadString('\n')
			j.line = strings.TrimSpace(line)
		}(j)
	}
	wg.Wait()
	return joiners
}

func countLines(joiners []*joiner, prefix string) int {
	n := 0
	for _, j := range joiners {
		if strings.HasPrefix(j.line, prefix) {
			n++
		}
	}
	return n
}

// TestTableCap: processes that join at the same time with a cap of 3 on
// their lineage: exactly 3 join, however they race; once one is killed
// with SIGKILL (TerminateProcess on Windows), its slot is free at once.
func TestTableCap(t *testing.T) {
	dir, app := scratchDir(t), testTableApp()
	joiners := startJoiners(t, dir, app, 32, 3, 24)
	if got := countLines(joiners, "joined"); got != 3 || countLines(joiners, "refused:") != 21 {
		t.Fatalf("%d of 24 joined, want 3 and 21 refused: %q", got, lines(joiners))
	}
	for _, j := range joiners {
		if strings.HasPrefix(j.line, "refused:") && !strings.Contains(j.line, "3 copies of it run already below the process the user started") {
			t.Errorf("refusal %q does not name the cap", j.line)
		}
	}
	for _, j := range joiners {
		if j.line == "joined" {
			j.cmd.Process.Kill()
			j.cmd.Wait()
			break
		}
	}
	if more := startJoiners(t, dir, app, 32, 3, 2); countLines(more, "joined") != 1 {
		t.Errorf("after a member was killed, %q; want one more to join", lines(more))
	}
}

// TestTableCeiling: a full table refuses every further process, also one
// that checks nothing (a root).
func TestTableCeiling(t *testing.T) {
	dir, app := scratchDir(t), testTableApp()
	joiners := startJoiners(t, dir, app, 4, 100, 6)
	if got := countLines(joiners, "joined"); got != 4 {
		t.Fatalf("%d of 6 joined a table of 4 slots, want 4: %q", got, lines(joiners))
	}
	table, err := openTestTable(dir, app, 4)
	if err != nil {
		t.Fatal(err)
	}
	refusal, err := table.join(tableEntry{pid: 99999, root: procKey{99999, 0}, call: "00000000000000c1", gen: 1}, nil)
	if err != nil || !strings.Contains(refusal, "4 of its processes run already") {
		t.Errorf("join of a full table: %q, %v", refusal, err)
	}
}

func lines(joiners []*joiner) []string {
	var l []string
	for _, j := range joiners {
		l = append(l, j.line)
	}
	return l
}

// testTableApp returns an app id no other test or program uses.
func testTableApp() string {
	return fmt.Sprintf("%016x", uint64(time.Now().UnixNano())^uint64(os.Getpid())<<32)
}
