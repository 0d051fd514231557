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
		return parentMarker{pid: pid, depth: depth, app: id}.String()
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
			in.pid, in.ppid, in.appID = self, parent, me
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
	m := parentMarker{pid: 1234, depth: 2, app: "0123456789abcdef"}
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

func TestAppRecorded(t *testing.T) {
	if id := appIdentity(); id != self.app {
		t.Errorf("appIdentity() %q, guard recorded %q", id, self.app)
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
		call      = "00000000000000c1"
		otherCall = "00000000000000c2"
	)
	root := procKey{100, 1000}
	entry := func(app string, pid int, gen int, alive bool) ancestor {
		return ancestor{lineageEntry: lineageEntry{app: app, pid: pid, start: int64(pid) * 10, at: now - 5, gen: gen, img: 1, call: call, root: root}, alive: alive}
	}
	parent := func(gen int) ancestor { return entry(me, ppid, gen, true) }
	with := func(a ancestor, f func(*ancestor)) ancestor { f(&a); return a }
	image := func(gen, img int, worker bool, c string) ancestor {
		return ancestor{lineageEntry: lineageEntry{app: me, pid: pid, start: start, at: now - 5, gen: gen, img: img, worker: worker, call: c, root: root}, alive: true}
	}
	marker := func(pid, depth int) string { return parentMarker{pid: pid, depth: depth, app: me}.String() }
	many := func(n int, alive bool) []ancestor {
		var l []ancestor
		for i := 0; i < n; i++ {
			l = append(l, entry(other, 1000+i, 1, alive))
		}
		return l
	}
	worker := with(parent(1), func(a *ancestor) { a.worker = true; a.call = otherCall })
	self := procKey{pid, start}

	tests := []struct {
		name     string
		mode     string
		listener bool
		lineage  []ancestor
		parent   string // BUNDLE_RT_PARENT
		worker   string
		relnch   bool
		want     verdict
		depth    int
		gen      int
		img      int
		restart  bool
		root     procKey
		message  string
	}{
		{name: "fresh start is its own root", mode: modeChain, want: runMain, gen: 1, img: 1, root: self},
		{name: "chain: a copy of the same call from a root runs", mode: modeChain, lineage: []ancestor{parent(1)}, want: runMain, depth: 1, gen: 2, img: 1, root: root},
		{name: "chain: a copy of the same call from a copy is a restart", mode: modeChain, lineage: []ancestor{parent(2)}, want: runMain, depth: 1, gen: 3, img: 1, restart: true, root: root},
		{name: "chain: the starter exited long ago, still a restart", mode: modeChain, lineage: []ancestor{with(entry(me, 300, 7, false), func(a *ancestor) { a.at = 1 })}, want: runMain, gen: 8, img: 1, restart: true, root: root},
		{name: "chain: a server's successor begins a run", mode: modeChain, listener: true, lineage: []ancestor{parent(2)}, want: runMain, depth: 1, gen: 1, img: 1, root: root},
		{name: "chain: other arguments begin a run", mode: modeChain, lineage: []ancestor{with(parent(2), func(a *ancestor) { a.call = otherCall })}, want: runMain, depth: 1, gen: 1, img: 1, root: root},
		{name: "chain: through another bundled program", mode: modeChain, lineage: []ancestor{entry(other, ppid, 1, true), entry(me, 300, 2, true)}, want: runMain, depth: 2, gen: 3, img: 1, restart: true, root: root},
		{name: "chain: another program only", mode: modeChain, lineage: []ancestor{entry(other, ppid, 2, true)}, want: runMain, depth: 1, gen: 1, img: 1, root: self},
		{name: "chain: a copy started by a live worker refused", mode: modeChain, lineage: []ancestor{worker}, want: refuse, depth: 1, gen: 1, img: 1, root: root, message: "started by a worker of the same program (worker pid 400)"},
		{name: "chain: a copy started by an exited worker runs", mode: modeChain, lineage: []ancestor{with(worker, func(a *ancestor) { a.alive = false })}, want: runMain, gen: 1, img: 1, root: root},
		{name: "chain: record lost, marker direct", mode: modeChain, parent: marker(ppid, 0), want: runMain, depth: 1, gen: 2, img: 1, root: self},
		{name: "refuse: direct child", mode: modeRefuse, lineage: []ancestor{parent(1)}, want: refuse, depth: 1, gen: 1, img: 1, root: root, message: "refused to run main() again in a child started by its own executable (parent pid 400)"},
		{name: "refuse: descendant", mode: modeRefuse, lineage: []ancestor{with(entry(me, 300, 1, true), func(a *ancestor) { a.at = now - 2001 })}, want: refuse, depth: 1, gen: 1, img: 1, root: root, message: "refused to run main() again in a process descended from its own executable (pid 300, 2001ms after it started)"},
		{name: "refuse: other arguments too", mode: modeRefuse, lineage: []ancestor{with(parent(1), func(a *ancestor) { a.call = otherCall })}, want: refuse, depth: 1, gen: 1, img: 1, root: root, message: "refused to run main() again"},
		{name: "refuse: record lost, marker direct", mode: modeRefuse, parent: marker(ppid, 0), want: refuse, depth: 1, gen: 1, img: 1, root: self, message: "child started by its own executable"},
		{name: "warn: warns and runs", mode: modeWarn, lineage: []ancestor{parent(2)}, want: runMain, depth: 1, gen: 1, img: 1, root: root, message: "warning: main() runs again in a child"},
		{name: "off: runs", mode: modeOff, lineage: []ancestor{parent(2)}, want: runMain, depth: 1, gen: 1, img: 1, root: root},
		{name: "chain: in place runs, whatever the image", mode: modeChain, lineage: []ancestor{image(2, 7, false, call)}, want: runMain, gen: 2, img: 8, root: root},
		{name: "chain: in place with other arguments begins a run", mode: modeChain, lineage: []ancestor{image(2, 1, false, otherCall)}, want: runMain, gen: 1, img: 2, root: root},
		{name: "refuse: in place once", mode: modeRefuse, lineage: []ancestor{image(1, 1, false, call), parent(1)}, want: runMain, depth: 1, gen: 1, img: 2, root: root},
		{name: "refuse: in place twice refused", mode: modeRefuse, lineage: []ancestor{image(1, 2, false, call)}, want: refuse, gen: 1, img: 3, root: root, message: "image 3 of one process"},
		{name: "chain: in place in a worker", mode: modeChain, lineage: []ancestor{image(1, 1, true, otherCall)}, want: refuse, gen: 1, img: 2, root: root, message: "started by a worker"},
		{name: "reused pid is no image of this process", mode: modeChain, lineage: []ancestor{{lineageEntry: lineageEntry{app: me, pid: pid, start: 1, at: now, gen: 2, img: 1, call: call, root: root}}}, want: runMain, gen: 3, img: 1, restart: true, root: root},
		{name: "worker", mode: modeChain, lineage: []ancestor{parent(2)}, parent: marker(ppid, 1), worker: "ui", want: runWorker, depth: 1, gen: 1, img: 1, root: root},
		{name: "worker assignment needs the real parent", mode: modeRefuse, lineage: []ancestor{parent(2)}, parent: marker(999, 1), worker: "ui", want: refuse, depth: 1, gen: 1, img: 1, root: root, message: "refused to run main() again"},
		{name: "Command relaunch is a new root and lineage", mode: modeRefuse, lineage: []ancestor{parent(2)}, parent: marker(ppid, 1), relnch: true, want: runMain, gen: 1, img: 1, root: self},
		{name: "depth counts live processes", mode: modeChain, lineage: many(maxDepth+1, true), want: refuse, depth: maxDepth + 1, gen: 1, img: 1, root: self, message: "refused to start generation 9"},
		{name: "exited processes do not count", mode: modeChain, lineage: many(maxDepth+1, false), want: runMain, gen: 1, img: 1, root: self},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := guardInput{mode: tt.mode, pid: pid, ppid: ppid, start: start, now: now, appID: me, call: call,
				parent: tt.parent, worker: tt.worker, relaunch: tt.relnch, lineage: tt.lineage, hasLine: tt.lineage != nil, listener: tt.listener}
			got := decide(in)
			if got.verdict != tt.want || got.depth != tt.depth || got.gen != tt.gen || got.img != tt.img || got.restart != tt.restart || got.root != tt.root {
				t.Errorf("decide() = verdict %d depth %d gen %d img %d restart %v root %v, want %d %d %d %d %v %v",
					got.verdict, got.depth, got.gen, got.img, got.restart, got.root, tt.want, tt.depth, tt.gen, tt.img, tt.restart, tt.root)
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

// TestCheck covers the table half of the guard: the lineage cap, and that
// a restart may take only the next place of its run.
func TestCheck(t *testing.T) {
	const call, otherCall = "00000000000000c1", "00000000000000c2"
	root, otherRoot := procKey{100, 1}, procKey{200, 1}
	me := procKey{500, 5}
	in := guardInput{pid: me.pid, start: me.start, call: call}
	members := func(n int) []tableEntry {
		var l []tableEntry
		for i := 0; i < n; i++ {
			l = append(l, tableEntry{pid: 1000 + i, start: 1, root: root, call: otherCall, gen: 1})
		}
		return l
	}
	run := func(r procKey, c string, gen int) []runRecord {
		return []runRecord{{root: r, call: c, gen: gen, seq: 1}}
	}
	tests := []struct {
		name    string
		restart bool
		view    tableView
		message string
		record  int // the place the run record written says; 0: none written
	}{
		{name: "alone", view: tableView{}},
		{name: "under the cap", view: tableView{live: members(3)}},
		{name: "at the cap", view: tableView{live: members(4)}, message: "4 copies of it run already below the process the user started (the limit, runtime.max_procs, is 4)"},
		{name: "other lineages do not count", view: tableView{live: append(members(3), tableEntry{pid: 2000, root: otherRoot}, tableEntry{pid: 2001, root: otherRoot})}},
		{name: "itself does not count", view: tableView{live: append(members(3), tableEntry{pid: me.pid, start: me.start, root: root})}},
		{name: "a restart begins its run's record", restart: true, view: tableView{}, record: 3},
		{name: "a restart takes the next place", restart: true, view: tableView{runs: run(root, call, 2)}, record: 3},
		{name: "a restart whose place is taken refused", restart: true, view: tableView{runs: run(root, call, 3)}, message: "copy 3 of one call (the same arguments in the same folder): another copy has taken that place in the run (it reached copy 3)"},
		{name: "a late restart refused", restart: true, view: tableView{runs: run(root, call, 9)}, message: "it reached copy 9"},
		{name: "the run of another call does not count", restart: true, view: tableView{runs: run(root, otherCall, 9)}, record: 3},
		{name: "the run of another lineage does not count", restart: true, view: tableView{runs: run(otherRoot, call, 9)}, record: 3},
		{name: "the cap holds for a restart", restart: true, view: tableView{live: members(4)}, message: "runtime.max_procs"},
		{name: "a copy waiting at the place refuses a restart", restart: true, view: tableView{live: []tableEntry{{pid: 600, start: 6, root: root, call: call, gen: 3}}}, message: "another copy has taken that place in the run (it reached copy 3)"},
		{name: "a copy running further on refuses a restart", restart: true, view: tableView{live: []tableEntry{{pid: 600, start: 6, root: root, call: call, gen: 5}}}, message: "it reached copy 5"},
		{name: "its starter does not refuse a restart", restart: true, view: tableView{live: []tableEntry{{pid: 600, start: 6, root: root, call: call, gen: 2}}}, record: 3},
		{name: "a copy of another call at the place does not count", restart: true, view: tableView{live: []tableEntry{{pid: 600, start: 6, root: root, call: otherCall, gen: 3}}}, record: 3},
		{name: "a copy of another lineage at the place does not count", restart: true, view: tableView{live: []tableEntry{{pid: 600, start: 6, root: otherRoot, call: call, gen: 3}}}, record: 3},
		{name: "its own entry does not count", restart: true, view: tableView{live: []tableEntry{{pid: me.pid, start: me.start, root: root, call: call, gen: 3}}}, record: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decision{root: root, restart: tt.restart, gen: 3}
			got := d.check(in, tt.view, 4)
			if tt.message == "" && got != "" || !strings.Contains(got, tt.message) {
				t.Errorf("check() = %q, want %q", got, tt.message)
			}
			if got != "" || !tt.restart {
				return
			}
			// Its starter has exited: the place is taken in the run record.
			got, rec := d.takePlace(in, tt.view.runs)
			switch {
			case got != "":
				t.Errorf("takePlace() = %q after check() passed", got)
			case rec == nil || rec.gen != tt.record || rec.root != root || rec.call != call:
				t.Errorf("takePlace() wrote the run record %+v, want place %d of this run", rec, tt.record)
			}
		})
	}
}

func TestRunSlot(t *testing.T) {
	area := make([]byte, 3*slotSize)
	a := runRecord{root: procKey{1, 1}, call: "00000000000000c1", gen: 3}
	i, got := runSlot(area, a)
	if i != 0 || got.seq != 1 {
		t.Fatalf("first record: slot %d seq %d", i, got.seq)
	}
	copy(area[i*slotSize:], encodeRun(got))
	for n, c := range []string{"00000000000000c2", "00000000000000c3"} {
		j, r := runSlot(area, runRecord{root: procKey{1, 1}, call: c, gen: 3})
		if j != n+1 {
			t.Fatalf("record %s went to slot %d, want the empty %d", c, j, n+1)
		}
		copy(area[j*slotSize:], encodeRun(r))
	}
	a.gen = 4
	if j, r := runSlot(area, a); j != 0 || r.seq != 4 {
		t.Errorf("an update of a run went to slot %d with seq %d, want its own slot 0 and seq 4", j, r.seq)
	} else {
		copy(area, encodeRun(r))
	}
	if j, _ := runSlot(area, runRecord{root: procKey{2, 2}, call: "00000000000000c4", gen: 3}); j != 1 {
		t.Errorf("a new run in a full area went to slot %d, want 1, the least recently written", j)
	}
	if got := readRuns(area); len(got) != 3 || got[0].gen != 4 {
		t.Errorf("readRuns() = %+v", got)
	}
}

func TestPass(t *testing.T) {
	e := func(pid int, alive bool) ancestor {
		return ancestor{lineageEntry: lineageEntry{app: "00000000000000aa", pid: pid, gen: 1, img: 1}, alive: alive}
	}
	var in []ancestor
	for i := 1; i <= 8; i++ {
		in = append(in, e(i, i%2 == 0 || i == 7))
	}
	keep, live := pass(in)
	var pids []int
	for _, k := range keep {
		pids = append(pids, k.pid)
	}
	if live != 5 || fmt.Sprint(pids) != "[1 2 3 4 5 6 7 8]" {
		t.Errorf("pass() kept %v with %d live, want every entry (4 exited at most) with 5 live", pids, live)
	}
	in = append(in, e(9, false), e(10, true), e(11, false))
	keep, live = pass(in)
	pids = pids[:0]
	for _, k := range keep {
		pids = append(pids, k.pid)
	}
	if live != 6 || fmt.Sprint(pids) != "[1 2 3 4 5 6 7 8 9 10]" {
		t.Errorf("pass() kept %v with %d live, want the nearest %d exited and every live entry", pids, live, maxExited)
	}
	var long []ancestor
	for i := 0; i < 3*maxLineage; i++ {
		long = append(long, e(i+1, true))
	}
	if keep, _ := pass(long); len(keep) != maxLineage-1 {
		t.Errorf("pass() kept %d entries, want %d", len(keep), maxLineage-1)
	}
}

func TestLineageRecord(t *testing.T) {
	entries := []lineageEntry{
		{app: "0123456789abcdef", pid: 42, start: 9876, at: 1700000000000, gen: 2, img: 1, call: "00000000000000c1", root: procKey{40, 9000}},
		{app: "fedcba9876543210", pid: 7, start: -1765000000000000001, at: 1700000000001, gen: 1, img: 3, worker: true, call: "00000000000000c2", root: procKey{7, -1765000000000000001}},
	}
	record := formatLineage(entries)
	if want := "bundle-rt-lineage v2 0123456789abcdef:42:9876:1700000000000:2:1:m:00000000000000c1:40:9000 fedcba9876543210:7:-1765000000000000001:1700000000001:1:3:w:00000000000000c2:7:-1765000000000000001"; record != want {
		t.Fatalf("formatLineage() = %q, want %q", record, want)
	}
	back, ok := parseLineage(record + "\n")
	if !ok || fmt.Sprint(back) != fmt.Sprint(entries) {
		t.Fatalf("round trip: %v %v", back, ok)
	}
	const good = "0123456789abcdef:1:0:1:1:1:m:00000000000000c1:1:0"
	for _, bad := range []string{
		"", "bundle-rt-lineage v2", "bundle-rt-lineage v2 ", "bundle-rt-lineage v1 " + good, "x" + good,
		"bundle-rt-lineage v2 " + good + " ", "bundle-rt-lineage v2 0123456789ABCDEF:1:0:1:1:1:m:00000000000000c1:1:0",
		"bundle-rt-lineage v2 0123:1:0:1:1:1:m:00000000000000c1:1:0", "bundle-rt-lineage v2 0123456789abcdef:0:0:1:1:1:m:00000000000000c1:1:0",
		"bundle-rt-lineage v2 0123456789abcdef:1:0:-1:1:1:m:00000000000000c1:1:0", "bundle-rt-lineage v2 0123456789abcdef:1:0:0:1:1:m:00000000000000c1:1:0",
		"bundle-rt-lineage v2 0123456789abcdef:1:0:1:0:1:m:00000000000000c1:1:0", "bundle-rt-lineage v2 0123456789abcdef:1:0:1:1:0:m:00000000000000c1:1:0",
		"bundle-rt-lineage v2 0123456789abcdef:1:0:1:1:1:x:00000000000000c1:1:0", "bundle-rt-lineage v2 0123456789abcdef:1:0:1:1:1:m:c1:1:0",
		"bundle-rt-lineage v2 0123456789abcdef:1:0:1:1:1:m:00000000000000c1:0:0", "bundle-rt-lineage v2 0123456789abcdef:1:0:1:1:1:m:00000000000000c1:1",
		"bundle-rt-lineage v2 " + strings.Repeat(good+" ", maxLineage) + good,
	} {
		if _, ok := parseLineage(bad); ok {
			t.Errorf("parseLineage(%q) accepted", bad)
		}
	}
}

func TestCallIdentity(t *testing.T) {
	base := callIdentity([]string{"serve", "--port", "1"}, "/srv")
	for name, other := range map[string]string{
		"other argument":   callIdentity([]string{"serve", "--port", "2"}, "/srv"),
		"other folder":     callIdentity([]string{"serve", "--port", "1"}, "/srv/a"),
		"arguments joined": callIdentity([]string{"serve --port", "1"}, "/srv"),
		"one more":         callIdentity([]string{"serve", "--port", "1", ""}, "/srv"),
		"none":             callIdentity(nil, "/srv"),
	} {
		if other == base {
			t.Errorf("%s: same id as the call it differs from", name)
		}
	}
	if !isID(base) || base != callIdentity([]string{"serve", "--port", "1"}, "/srv") {
		t.Errorf("callIdentity() = %q, not a stable 16-digit hex id", base)
	}
}

func TestSlotRoundTrip(t *testing.T) {
	e := tableEntry{pid: 123456, start: 987654321012, root: procKey{42, 77}, call: "0123456789abcdef", gen: 3, worker: true}
	back, ok := decodeSlot(encodeSlot(e))
	if !ok || back != e {
		t.Errorf("decodeSlot(encodeSlot(%+v)) = %+v, %v", e, back, ok)
	}
	if _, ok := decodeSlot(make([]byte, slotSize)); ok {
		t.Error("an empty slot decoded as an entry")
	}
}

func TestAppIdentity(t *testing.T) {
	id := appIdentity()
	if !isID(id) || id != appIdentity() {
		t.Errorf("appIdentity() = %q, not a stable 16-digit hex id", id)
	}
	buildAppID = "0123456789abcdef"
	defer func() { buildAppID = "" }()
	if got := appIdentity(); got != buildAppID {
		t.Errorf("appIdentity() = %q, not the id the bundler linked in", got)
	}
}
