package worker

import (
	"fmt"
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	const (
		self   = 500
		parent = 400
		me     = "00000000000000aa"
		other  = "00000000000000bb"
	)
	marker := func(pid, depth int, id string) string {
		return parentMarker{pid: pid, depth: depth, exeID: id}.String()
	}
	tests := []struct {
		name    string
		in      guardInput
		want    verdict
		depth   int
		message string // substring of the message; "" means no message
	}{
		{name: "fresh start", in: guardInput{}, want: runMain},
		{name: "fresh start ignores a forged worker", in: guardInput{worker: "ui"}, want: runMain},
		{name: "malformed marker is a fresh start", in: guardInput{parent: "v1:x:0:" + me}, want: runMain},
		{name: "foreign protocol version is a fresh start", in: guardInput{parent: "v2:400:3:" + me}, want: runMain},
		{name: "in-place exec keeps its generation", in: guardInput{parent: marker(self, 3, me)}, want: runMain, depth: 3},
		{name: "worker from the real parent", in: guardInput{parent: marker(parent, 0, me), worker: "ui"}, want: runWorker, depth: 1},
		{name: "forged worker, wrong parent pid", in: guardInput{parent: marker(999, 0, me), worker: "ui"}, want: runMain, depth: 1},
		{name: "forged worker, other executable", in: guardInput{parent: marker(parent, 0, other), worker: "ui"}, want: runMain, depth: 1},
		{name: "relaunch starts a new root", in: guardInput{parent: marker(parent, 5, me), relaunch: true}, want: runMain},
		{name: "relaunch through another program counts", in: guardInput{parent: marker(999, 5, me), relaunch: true}, want: runMain, depth: 6},
		{name: "direct self child refused", in: guardInput{parent: marker(parent, 0, me)}, want: refuse, depth: 1, message: "refused to run main() again in a child started by its own executable (parent pid 400)"},
		{name: "direct self child warned", in: guardInput{mode: modeWarn, parent: marker(parent, 0, me)}, want: runMain, depth: 1, message: "warning: main() runs again"},
		{name: "direct self child allowed when off", in: guardInput{mode: modeOff, parent: marker(parent, 0, me)}, want: runMain, depth: 1},
		{name: "other executable allowed", in: guardInput{parent: marker(parent, 0, other)}, want: runMain, depth: 1},
		{name: "app, shell, app allowed", in: guardInput{parent: marker(999, 7, me)}, want: runMain, depth: 8},
		{name: "generation 9 refused", in: guardInput{parent: marker(999, 8, me)}, want: refuse, depth: 9, message: "refused to start generation 9"},
		{name: "generation 9 refused even in warn", in: guardInput{mode: modeWarn, parent: marker(999, 8, other)}, want: refuse, depth: 9, message: "limit 8"},
		{name: "generation 9 of a worker refused", in: guardInput{parent: marker(parent, 8, me), worker: "ui"}, want: refuse, depth: 9, message: "generation 9"},
		{name: "generation 9 allowed when off", in: guardInput{mode: modeOff, parent: marker(parent, 8, me)}, want: runMain, depth: 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.pid, in.ppid, in.exeID = self, parent, me
			if in.mode == "" {
				in.mode = modeRefuse
			}
			got := decide(in)
			if got.verdict != tt.want || got.depth != tt.depth {
				t.Errorf("decide() = verdict %d depth %d, want verdict %d depth %d", got.verdict, got.depth, tt.want, tt.depth)
			}
			switch {
			case tt.message == "" && got.message != "":
				t.Errorf("unexpected message %q", got.message)
			case !strings.Contains(got.message, tt.message):
				t.Errorf("message %q does not contain %q", got.message, tt.message)
			}
			if strings.Contains(got.message, "\n") {
				t.Errorf("message must be one line: %q", got.message)
			}
		})
	}
}

func TestResolveMode(t *testing.T) {
	tests := []struct{ build, override, want string }{
		{"", "", modeRefuse},
		{"warn", "", modeWarn},
		{"off", "", modeOff},
		{"warn", "refuse", modeRefuse},
		{"chain", "", modeChain},
		{"refuse", "Chain", modeChain},
		{"", " OFF ", modeOff},
		{"warn", "bogus", modeWarn},
		{"bogus", "", modeRefuse},
	}
	for _, tt := range tests {
		if got := resolveMode(tt.build, tt.override); got != tt.want {
			t.Errorf("resolveMode(%q, %q) = %q, want %q", tt.build, tt.override, got, tt.want)
		}
	}
}

func TestParentMarker(t *testing.T) {
	m := parentMarker{pid: 1234, depth: 2, exeID: "0123456789abcdef"}
	if got := m.String(); got != "v1:1234:2:0123456789abcdef" {
		t.Fatalf("String() = %q", got)
	}
	if back, ok := parseParentMarker(m.String()); !ok || back != m {
		t.Fatalf("round trip: %+v, %v", back, ok)
	}
	for _, bad := range []string{"", "v1", "v1:1:2", "v1:0:0:ab", "v1:-1:0:ab", "v1:1:-1:ab", "v1:1:0:", "v1:1:0:ab:extra", "v2:1:0:ab"} {
		if _, ok := parseParentMarker(bad); ok {
			t.Errorf("parseParentMarker(%q) accepted", bad)
		}
	}
}

func TestExeID(t *testing.T) {
	a, b := exeID("/opt/app/bin/app"), exeID("/opt/app/bin/other")
	if len(a) != 16 || a == b || a != exeID("/opt/app/bin/app") {
		t.Errorf("exeID: %q %q", a, b)
	}
	if _, id := executableIdentity(); id != self.exeID {
		t.Errorf("executableIdentity() id %q, guard recorded %q", id, self.exeID)
	}
}

func TestParseGrace(t *testing.T) {
	if got := parseGrace(""); got != defaultGrace {
		t.Errorf(`parseGrace("") = %v`, got)
	}
	if got := parseGrace("1500ms"); got.Milliseconds() != 1500 {
		t.Errorf(`parseGrace("1500ms") = %v`, got)
	}
	if got := parseGrace("-1s"); got != defaultGrace {
		t.Errorf(`parseGrace("-1s") = %v`, got)
	}
	if got := parseGraceMS("250", defaultGrace); got.Milliseconds() != 250 {
		t.Errorf(`parseGraceMS("250") = %v`, got)
	}
	if got := parseGraceMS("x", defaultGrace); got != defaultGrace {
		t.Errorf(`parseGraceMS("x") = %v`, got)
	}
}

func TestDecideLineage(t *testing.T) {
	const (
		pid, ppid = 500, 400
		start     = 7000
		now       = 1_000_000
		me        = "00000000000000aa"
		other     = "00000000000000bb"
		exe       = "00000000000000ee"
	)
	slow := now - relaunchWindow.Milliseconds() - 1
	quickAt := int64(now - 5)
	entry := func(app string, pid int, at int64, gen int, alive bool) ancestor {
		return ancestor{lineageEntry: lineageEntry{app: app, pid: pid, start: int64(pid) * 10, at: at, gen: gen, img: 1}, alive: alive}
	}
	parent := func(gen int) ancestor { return entry(me, ppid, quickAt, gen, true) }
	image := func(at int64, gen, img int, worker bool) ancestor {
		return ancestor{lineageEntry: lineageEntry{app: me, pid: pid, start: start, at: at, gen: gen, img: img, worker: worker}, alive: true}
	}
	marker := func(pid, depth int) string { return parentMarker{pid: pid, depth: depth, exeID: exe}.String() }
	many := func(n int, alive bool, at int64) []ancestor {
		var l []ancestor
		for i := 0; i < n; i++ {
			l = append(l, entry(other, 1000+i, at, 1, alive))
		}
		return l
	}
	w := parent(1)
	w.worker, w.gen = true, 2

	tests := []struct {
		name    string
		mode    string
		lineage []ancestor
		parent  string // BUNDLE_RT_PARENT
		worker  string
		relnch  bool
		want    verdict
		depth   int
		gen     int
		img     int
		message string
	}{
		{name: "fresh start", mode: modeChain, want: runMain, gen: 1, img: 1},
		{name: "chain: quick child of a root runs", mode: modeChain, lineage: []ancestor{parent(1)}, want: runMain, depth: 1, gen: 2, img: 1},
		{name: "chain: quick child of a relaunched copy refused", mode: modeChain, lineage: []ancestor{parent(2)}, want: refuse, depth: 1, gen: 3, img: 1, message: "generation 3 of a chain of quick self-relaunches (started by pid 400, 5ms after it started)"},
		{name: "chain: relay, the starter exited", mode: modeChain, lineage: []ancestor{entry(me, 300, quickAt, 2, false)}, want: refuse, gen: 3, img: 1, message: "generation 3 of a chain"},
		{name: "chain: slow child starts a new chain", mode: modeChain, lineage: []ancestor{entry(me, ppid, slow, 2, true)}, want: runMain, depth: 1, gen: 1, img: 1},
		{name: "chain: through another bundled program", mode: modeChain, lineage: []ancestor{entry(other, ppid, quickAt, 1, true), entry(me, 300, quickAt, 2, true)}, want: refuse, depth: 2, gen: 3, img: 1, message: "started by pid 300"},
		{name: "chain: another program only", mode: modeChain, lineage: []ancestor{entry(other, ppid, quickAt, 2, true)}, want: runMain, depth: 1, gen: 1, img: 1},
		{name: "chain: quick child of a worker refused", mode: modeChain, lineage: []ancestor{w}, want: refuse, depth: 1, gen: 3, img: 1, message: "generation 3"},
		{name: "chain: record lost, marker direct", mode: modeChain, parent: marker(ppid, 0), want: runMain, depth: 1, gen: 2, img: 1},
		{name: "refuse: quick direct child", mode: modeRefuse, lineage: []ancestor{parent(1)}, want: refuse, depth: 1, gen: 2, img: 1, message: "refused to run main() again in a child started by its own executable (parent pid 400)"},
		{name: "refuse: slow descendant", mode: modeRefuse, lineage: []ancestor{entry(me, 300, slow, 1, true)}, want: refuse, depth: 1, gen: 1, img: 1, message: "refused to run main() again in a process descended from its own executable (pid 300, 2001ms after it started)"},
		{name: "refuse: record lost, marker direct", mode: modeRefuse, parent: marker(ppid, 0), want: refuse, depth: 1, gen: 2, img: 1, message: "child started by its own executable"},
		{name: "warn: warns and runs", mode: modeWarn, lineage: []ancestor{parent(2)}, want: runMain, depth: 1, gen: 3, img: 1, message: "warning: main() runs again in a child"},
		{name: "off: runs", mode: modeOff, lineage: []ancestor{parent(2)}, want: runMain, depth: 1, gen: 1, img: 1},
		{name: "in place once", mode: modeRefuse, lineage: []ancestor{image(quickAt, 1, 1, false), parent(1)}, want: runMain, depth: 1, gen: 1, img: 2},
		{name: "in place twice refused", mode: modeChain, lineage: []ancestor{image(quickAt, 1, 2, false)}, want: refuse, gen: 1, img: 3, message: "generation 3 of a chain of quick self-relaunches (in place"},
		{name: "in place, slow", mode: modeChain, lineage: []ancestor{image(slow, 2, 2, false)}, want: runMain, gen: 1, img: 1},
		{name: "in place in a worker", mode: modeChain, lineage: []ancestor{image(quickAt, 2, 1, true)}, want: refuse, gen: 3, img: 1, message: "in place"},
		{name: "reused pid is no image of this process", mode: modeChain, lineage: []ancestor{{lineageEntry: lineageEntry{app: me, pid: pid, start: 1, at: quickAt, gen: 2, img: 1}}}, want: refuse, gen: 3, img: 1, message: "generation 3"},
		{name: "worker", mode: modeChain, lineage: []ancestor{parent(2)}, parent: marker(ppid, 1), worker: "ui", want: runWorker, depth: 1, gen: 3, img: 1},
		{name: "worker assignment needs the real parent", mode: modeChain, lineage: []ancestor{parent(2)}, parent: marker(999, 1), worker: "ui", want: refuse, depth: 1, gen: 3, img: 1, message: "generation 3"},
		{name: "Command relaunch is a new root", mode: modeRefuse, lineage: []ancestor{parent(2)}, parent: marker(ppid, 1), relnch: true, want: runMain, gen: 1, img: 1},
		{name: "depth counts live processes", mode: modeChain, lineage: many(maxDepth+1, true, slow), want: refuse, depth: maxDepth + 1, gen: 1, img: 1, message: "refused to start generation 9"},
		{name: "exited processes do not count", mode: modeChain, lineage: many(maxDepth+1, false, quickAt), want: runMain, gen: 1, img: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := guardInput{mode: tt.mode, pid: pid, ppid: ppid, start: start, now: now, exeID: exe, appID: me,
				parent: tt.parent, worker: tt.worker, relaunch: tt.relnch, lineage: tt.lineage, hasLine: tt.lineage != nil}
			got := decide(in)
			if got.verdict != tt.want || got.depth != tt.depth || got.gen != tt.gen || got.img != tt.img {
				t.Errorf("decide() = verdict %d depth %d gen %d img %d, want %d %d %d %d", got.verdict, got.depth, got.gen, got.img, tt.want, tt.depth, tt.gen, tt.img)
			}
			switch {
			case tt.message == "" && got.message != "":
				t.Errorf("unexpected message %q", got.message)
			case !strings.Contains(got.message, tt.message):
				t.Errorf("message %q does not contain %q", got.message, tt.message)
			}
		})
	}
}

func TestPass(t *testing.T) {
	const now = 1_000_000
	e := func(pid int, at int64, alive bool) ancestor {
		return ancestor{lineageEntry: lineageEntry{app: "00000000000000aa", pid: pid, at: at, gen: 1, img: 1}, alive: alive}
	}
	keep, live := pass([]ancestor{e(1, now-10, true), e(2, now-10, false), e(3, now-5000, false), e(4, now-5000, true)}, now)
	var pids []int
	for _, k := range keep {
		pids = append(pids, k.pid)
	}
	if live != 2 || fmt.Sprint(pids) != "[1 2 4]" {
		t.Errorf("pass() kept %v with %d live, want [1 2 4] with 2: exited processes go once they are past the window", pids, live)
	}
	var long []ancestor
	for i := 0; i < 3*maxLineage; i++ {
		long = append(long, e(i+1, now, true))
	}
	if keep, _ := pass(long, now); len(keep) != maxLineage-1 {
		t.Errorf("pass() kept %d entries, want %d", len(keep), maxLineage-1)
	}
}

func TestLineageRecord(t *testing.T) {
	entries := []lineageEntry{
		{app: "0123456789abcdef", pid: 42, start: 9876, at: 1700000000000, gen: 2, img: 1},
		{app: "fedcba9876543210", pid: 7, at: 1700000000001, gen: 1, img: 3, worker: true},
	}
	record := formatLineage(entries)
	if want := "bundle-rt-lineage v1 0123456789abcdef:42:9876:1700000000000:2:1:m fedcba9876543210:7:0:1700000000001:1:3:w"; record != want {
		t.Fatalf("formatLineage() = %q, want %q", record, want)
	}
	back, ok := parseLineage(record + "\n")
	if !ok || fmt.Sprint(back) != fmt.Sprint(entries) {
		t.Fatalf("round trip: %v %v", back, ok)
	}
	const good = "0123456789abcdef:1:0:1:1:1:m"
	for _, bad := range []string{
		"", "bundle-rt-lineage v1", "bundle-rt-lineage v1 ", "bundle-rt-lineage v2 " + good, "x" + good,
		"bundle-rt-lineage v1 " + good + " ", "bundle-rt-lineage v1 0123456789ABCDEF:1:0:1:1:1:m",
		"bundle-rt-lineage v1 0123:1:0:1:1:1:m", "bundle-rt-lineage v1 0123456789abcdef:0:0:1:1:1:m",
		"bundle-rt-lineage v1 0123456789abcdef:1:-1:1:1:1:m", "bundle-rt-lineage v1 0123456789abcdef:1:0:0:1:1:m",
		"bundle-rt-lineage v1 0123456789abcdef:1:0:1:0:1:m", "bundle-rt-lineage v1 0123456789abcdef:1:0:1:1:0:m",
		"bundle-rt-lineage v1 0123456789abcdef:1:0:1:1:1:x", "bundle-rt-lineage v1 0123456789abcdef:1:0:1:1:1",
		"bundle-rt-lineage v1 " + strings.Repeat(good+" ", maxLineage) + good,
	} {
		if _, ok := parseLineage(bad); ok {
			t.Errorf("parseLineage(%q) accepted", bad)
		}
	}
}

func TestAppIdentity(t *testing.T) {
	id := appIdentity(self.exe)
	if !isAppID(id) || id != appIdentity(self.exe) {
		t.Errorf("appIdentity() = %q, not a stable 16-digit hex id", id)
	}
	if appIdentity("") == id {
		t.Error("appIdentity ignores the executable's size")
	}
}
