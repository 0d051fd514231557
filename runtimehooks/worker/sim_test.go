package worker

import (
	"container/heap"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The simulation runs the guard's own decision code (decide, then the
// restart wait and the table check through the same decision methods
// admit uses) on made-up launch trees: a program that, after some work,
// starts k copies of itself with its own call or a new one, and then waits
// for them (nested) or exits (a relay), through a launch way that carries
// the lineage record or not, with random start-up and exit delays. It
// checks the bounds the package doc promises for every tree.

// simWay is how a copy is started, as far as the guard can tell.
type simWay struct {
	name    string
	inherit bool // the record reaches the copy (descriptor or environment)
	marker  bool // BUNDLE_RT_PARENT reaches it
	walk    bool // only the ancestor walk finds a record: the starter's, while it runs
	detach  bool // the copy's parent is not its starter
}

var simWays = []simWay{
	{name: "direct", inherit: true, marker: true},
	{name: "cleared environment", inherit: true},
	{name: "closed descriptors", inherit: true, marker: true},
	{name: "double fork", inherit: true, marker: true, detach: true},
	// sudo clears the copy's environment and closes its descriptors, but
	// runs on as its parent with the environment the starter gave it.
	{name: "sudo", inherit: true},
	// pkexec and systemd-run --scope replace themselves with the copy:
	// only the starter, while it runs, has a record.
	{name: "launcher that replaces itself (pkexec)", walk: true},
	{name: "handed to a service manager (nothing reaches it)", detach: true},
}

// simTree is one launch tree's behaviour, and the machine it runs on.
type simTree struct {
	k      int           // copies each run starts
	same   bool          // copies make their starter's call (a naive relaunch)
	nested bool          // a run waits for its copies; else it exits after starting them
	delay  time.Duration // work before starting copies
	slow   bool          // a relay lingers (up to 8 s) before it exits; else it exits at once
	way    simWay
	start  time.Duration // how long a copy takes to reach its guard, give or take half
	stalls bool          // one copy in 50 stalls for up to 3 s before its guard
}

func (tr simTree) String() string {
	shape := "relay"
	if tr.nested {
		shape = "nested"
	}
	call := "new arguments"
	if tr.same {
		call = "same arguments"
	}
	return fmt.Sprintf("%s k=%d, %s, work %v, slow exit %v, %s, start-up %v, stalls %v", shape, tr.k, call, tr.delay, tr.slow, tr.way.name, tr.start, tr.stalls)
}

// simResult is what one tree did: the most processes alive at once (those
// that have not reached their guard included), past their guard (running
// main() or waiting to) at once and running main() at once, the runs of
// main(), the refusals and the processes created.
type simResult struct {
	maxLive, maxPast, maxRunning, mains, refusals, created int
}

const (
	simMaxProcs = 8 // small, so that trees reach the cap and the ceiling within the budget
	simSlots    = ceilingFactor * simMaxProcs
	simBudget   = 300              // processes created per tree, after which runs stop starting copies
	simHorizon  = 60 * time.Second // watched for this long
	simPoll     = 10 * time.Millisecond
	simApp      = "00000000000000aa"
)

type simState int

const (
	simStarting simState = iota // created, guard not yet decided
	simWaiting                  // a restart waiting for its starter to exit
	simRunning                  // ran main()
	simExited
)

type simProc struct {
	pid      int
	starter  *simProc
	call     string
	state    simState
	record   []lineageEntry // what it passes on, once admitted
	depth    int
	in       guardInput
	d        decision
	children int // live copies it started (a nested run waits for them)
	waiters  []*simProc
	waitSeq  int // tells a deadline from an earlier wait's
	past     bool
}

type simEvent struct {
	at   time.Duration
	seq  int
	kind int
	p    *simProc
	arg  int
}

const (
	evGuard = iota
	evJoin
	evWork
	evExit
	evDeadline
)

type simQueue []simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	return q[i].at < q[j].at || q[i].at == q[j].at && q[i].seq < q[j].seq
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type sim struct {
	tree    simTree
	rng     *rand.Rand
	now     time.Duration
	seq     int
	queue   simQueue
	procs   map[int]*simProc
	nextPid int
	calls   int
	live    int
	past    int // processes the guard let through or keeps waiting
	running int
	table   map[int]*simProc
	entries []tableEntry // the table's live entries, as the table reads them
	runs    []byte       // the table's run records
	res     simResult
}

func (s *sim) at(after time.Duration, kind int, p *simProc, arg int) {
	s.seq++
	heap.Push(&s.queue, simEvent{at: s.now + after, seq: s.seq, kind: kind, p: p, arg: arg})
}

// latency is the time from a process's creation to its guard's decision.
func (s *sim) latency() time.Duration {
	if s.tree.stalls && s.rng.Intn(50) == 0 {
		return time.Duration(500+s.rng.Intn(2500)) * time.Millisecond
	}
	return s.tree.start/2 + time.Duration(s.rng.Int63n(int64(s.tree.start)+1))
}

// linger is how long a relay takes to exit after starting its copies.
func (s *sim) linger() time.Duration {
	if !s.tree.slow {
		return 0
	}
	switch r := s.rng.Float64(); {
	case r < 0.6:
		return time.Duration(s.rng.Intn(20)) * time.Millisecond
	case r < 0.9:
		return time.Duration(20+s.rng.Intn(2000)) * time.Millisecond
	default:
		return time.Duration(2000+s.rng.Intn(6000)) * time.Millisecond
	}
}

func (s *sim) work() time.Duration {
	if s.tree.delay == 0 {
		return 0
	}
	jitter := time.Duration(s.rng.Int63n(int64(s.tree.delay)/5 + 1))
	return s.tree.delay - s.tree.delay/10 + jitter
}

func (s *sim) spawn(starter *simProc, call string) {
	s.nextPid++
	p := &simProc{pid: s.nextPid, starter: starter, call: call}
	s.procs[p.pid] = p
	s.live++
	s.res.created++
	s.res.maxLive = max(s.res.maxLive, s.live)
	if starter != nil {
		starter.children++
	}
	s.at(s.latency(), evGuard, p, 0)
}

func (s *sim) alive(pid int) bool {
	p, ok := s.procs[pid]
	return ok && p.state != simExited
}

func (s *sim) guard(p *simProc) {
	way := s.tree.way
	st := p.starter
	in := guardInput{mode: modeChain, pid: p.pid, ppid: 1, start: int64(p.pid), now: 1 + s.now.Milliseconds(),
		appID: simApp, call: p.call, orphan: true}
	if st != nil {
		var record []lineageEntry
		switch {
		case way.inherit:
			record = st.record
		case way.walk && s.alive(st.pid):
			record = st.record
		}
		for _, e := range record {
			in.lineage = append(in.lineage, ancestor{lineageEntry: e, alive: s.alive(e.pid)})
		}
		in.hasLine = record != nil
		in.orphan = in.orphan && !in.hasLine
		if !way.detach && s.alive(st.pid) {
			in.ppid, in.orphan = st.pid, false
		}
		if way.marker {
			in.parent = parentMarker{pid: st.pid, depth: st.depth, app: simApp}.String()
		}
	}
	p.in, p.d = in, decide(in)
	if p.d.verdict == refuse || !s.join(p) {
		s.exit(p, true)
		return
	}
	if p.d.restart && s.alive(p.d.starter.pid) {
		p.state = simWaiting
		p.waitSeq++
		w := s.procs[p.d.starter.pid]
		w.waiters = append(w.waiters, p)
		s.at(restartWait, evDeadline, p, p.waitSeq)
		return
	}
	s.takePlace(p)
}

// join is admit's first part: the count of the program's processes, the
// check on the table, then a free slot or the ceiling. It reports whether
// the process joined.
func (s *sim) join(p *simProc) bool {
	if p.d.countsProcesses(p.in) && s.live > simSlots {
		p.d = p.d.refuse(ceilingMessage(s.live - 1))
		return false
	}
	var refusal string
	check := p.d.joinCheck(p.in, simMaxProcs)
	joins := check != nil || rootsJoinTable
	if check != nil {
		refusal, _ = check(tableView{live: s.entries, runs: readRuns(s.runs)})
	}
	if refusal == "" && joins && len(s.table) >= simSlots {
		refusal = ceilingMessage(simSlots)
	}
	if p.d = p.d.joined(refusal, nil); p.d.verdict == refuse {
		return false
	}
	if joins {
		s.table[p.pid] = p
		s.entries = append(s.entries, p.d.entry(p.in))
	}
	p.past = true
	s.past++
	s.res.maxPast = max(s.res.maxPast, s.past)
	return true
}

// takePlace is admit's last part: a restart, its starter gone, takes its
// place in the run; then the process runs main().
func (s *sim) takePlace(p *simProc) {
	if p.d.restart {
		refusal, run := p.d.placeCheck(p.in)(tableView{live: s.entries, runs: readRuns(s.runs)})
		if p.d = p.d.joined(refusal, nil); p.d.verdict == refuse {
			s.exit(p, true)
			return
		}
		i, r := runSlot(s.runs, *run)
		copy(s.runs[i*slotSize:], encodeRun(r))
	}
	p.state = simRunning
	s.running++
	s.res.maxRunning = max(s.res.maxRunning, s.running)
	p.depth = p.d.depth
	own := lineageEntry{app: simApp, pid: p.pid, start: int64(p.pid), at: 1 + s.now.Milliseconds(), gen: p.d.gen, img: p.d.img, call: p.call, root: p.d.root}
	p.record = append([]lineageEntry{own}, p.d.keep...)
	s.res.mains++
	s.at(s.work(), evWork, p, 0)
}

func (s *sim) run(p *simProc) {
	if p.state != simRunning {
		return
	}
	if s.res.created < simBudget && s.now < simHorizon {
		for i := 0; i < s.tree.k; i++ {
			call := p.call
			if !s.tree.same {
				s.calls++
				call = fmt.Sprintf("%016x", s.calls)
			}
			s.spawn(p, call)
		}
	}
	switch {
	case !s.tree.nested:
		if l := s.linger(); l > 0 {
			s.at(l, evExit, p, 0)
		} else {
			s.exit(p, false)
		}
	case p.children == 0:
		s.exit(p, false)
	}
}

func (s *sim) exit(p *simProc, refused bool) {
	if p.state == simExited {
		return
	}
	if refused {
		s.res.refusals++
	}
	if p.state == simRunning {
		s.running--
	}
	if p.past {
		s.past--
	}
	p.state = simExited
	s.live--
	if _, ok := s.table[p.pid]; ok {
		delete(s.table, p.pid)
		for i, e := range s.entries {
			if e.pid == p.pid {
				s.entries[i] = s.entries[len(s.entries)-1]
				s.entries = s.entries[:len(s.entries)-1]
				break
			}
		}
	}
	for _, w := range p.waiters {
		if w.state == simWaiting {
			w.waitSeq++ // its deadline no longer applies
			s.at(time.Duration(s.rng.Int63n(int64(simPoll))), evJoin, w, 0)
		}
	}
	if st := p.starter; st != nil {
		st.children--
		if s.tree.nested && st.children == 0 && st.state == simRunning {
			s.at(0, evExit, st, 0)
		}
	}
}

func runTree(tree simTree, seed int64) simResult {
	s := &sim{tree: tree, rng: rand.New(rand.NewSource(seed)), procs: map[int]*simProc{}, table: map[int]*simProc{}, runs: make([]byte, runSlots*slotSize), nextPid: 999}
	s.calls++
	s.spawn(nil, fmt.Sprintf("%016x", s.calls))
	for s.queue.Len() > 0 {
		e := heap.Pop(&s.queue).(simEvent)
		s.now = e.at
		switch e.kind {
		case evGuard:
			s.guard(e.p)
		case evJoin:
			if e.p.state == simWaiting {
				s.takePlace(e.p)
			}
		case evWork:
			s.run(e.p)
		case evExit:
			if e.p.state == simRunning && (!tree.nested || e.p.children == 0) {
				s.exit(e.p, false)
			}
		case evDeadline:
			if e.p.state == simWaiting && e.p.waitSeq == e.arg {
				e.p.d = e.p.d.waitedInVain()
				s.exit(e.p, true)
			}
		}
	}
	return s.res
}

// treeBounds checks one tree's result against the promised bounds and
// returns what is wrong, or "".
func treeBounds(tr simTree, r simResult) string {
	k := tr.k
	ceiling := simSlots * (1 + k)
	switch {
	case r.maxLive > ceiling:
		return fmt.Sprintf("%d alive at once, more than the ceiling allows (%d)", r.maxLive, ceiling)
	case treeUnlinked(tr):
		// Nothing links a copy to its starter (its starter exited, or a
		// service manager started it): each is a root, and the ceiling
		// above is the bound.
	case !tr.same:
		// Recursion with new arguments: the depth limit, and the cap on
		// the copies below the root.
		if r.maxRunning > simMaxProcs+1 {
			return fmt.Sprintf("%d ran main() at once, more than the root and the cap allow (%d)", r.maxRunning, simMaxProcs+1)
		}
		want := min(maxDepth+1, simMaxProcs+1)
		if tr.nested && k == 1 && (r.mains > want || tr.delay < 5*time.Second && r.mains != want) {
			return fmt.Sprintf("a nested call of new arguments ran %d times, want %d (the depth limit or the cap)", r.mains, want)
		}
	case r.maxPast > k+2:
		// The guard's own bound, whatever the timing: the root, its k
		// copies (place 2) and one restart waiting for its starter; a
		// restart runs only once its starter, one of those copies, has
		// exited, and it claims its place before it waits.
		return fmt.Sprintf("%d past their guard at once, want at most %d (the root, its copies and one restart)", r.maxPast, k+2)
	case tr.nested:
		if bound := 1 + k + k*k; r.maxLive > bound || r.mains != 1+k {
			return fmt.Sprintf("%d alive at once and %d runs of main(), want at most %d alive and exactly %d runs", r.maxLive, r.mains, bound, 1+k)
		}
	case r.maxRunning > k+2:
		return fmt.Sprintf("%d ran main() at once, want at most %d (the starter's copies and one restart)", r.maxRunning, k+2)
	case tr.stalls:
		// A stalled copy lives on until its guard refuses it, beside
		// the run: only those past their guard are bounded above.
	case k == 1:
		// A restart loop: 2 alive, and the root for a moment more when it
		// lingers, as its copy runs at once (place 2) and starts the next.
		bound := 2
		if tr.slow {
			bound = 3
		}
		if r.maxLive > bound || !tr.slow && r.refusals > 0 {
			return fmt.Sprintf("a restart loop had %d alive at once and %d refusals, want at most %d and none", r.maxLive, r.refusals, bound)
		}
	default:
		// The rest are copies still starting, each refused as it reaches
		// its guard: 1 + k + k² in the first wave; then, as start-ups
		// vary by half (one may take three times another), the k-1
		// losers of each of the two last places of the line may still be
		// starting as it goes on; one more where processes linger before
		// they exit (the root or a copy at place 2).
		bound := 1 + k + k*k + 2*(k-1)
		if tr.slow {
			bound++
		}
		if r.maxLive > bound {
			return fmt.Sprintf("%d alive at once, want at most %d", r.maxLive, bound)
		}
	}
	return ""
}

// TestSimulatedLaunchTrees drives the guard through 100,000 random launch
// trees (-short: 5,000). BUNDLE_RT_TEST_SIM_SEED repeats a run.
func TestSimulatedLaunchTrees(t *testing.T) {
	trees := 100_000
	if testing.Short() {
		trees = 5_000
	}
	seed := time.Now().UnixNano()
	if s, err := strconv.ParseInt(os.Getenv("BUNDLE_RT_TEST_SIM_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (BUNDLE_RT_TEST_SIM_SEED)", seed)
	rng := rand.New(rand.NewSource(seed))
	delays := []time.Duration{0, time.Millisecond, 50 * time.Millisecond, 500 * time.Millisecond, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second}
	starts := []time.Duration{200 * time.Microsecond, 2 * time.Millisecond, 20 * time.Millisecond, 500 * time.Millisecond}
	type job struct {
		tree simTree
		seed int64
	}
	jobs := make([]job, trees)
	for i := range jobs {
		jobs[i] = job{simTree{
			k:      1 + rng.Intn(3),
			same:   rng.Intn(4) != 0,
			nested: rng.Intn(2) == 0,
			delay:  delays[rng.Intn(len(delays))],
			slow:   rng.Intn(3) == 0,
			way:    simWays[rng.Intn(len(simWays))],
			start:  starts[rng.Intn(len(starts))],
			stalls: rng.Intn(4) == 0,
		}, rng.Int63()}
	}
	results := make([]simResult, trees)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < trees; i += workers {
				results[i] = runTree(jobs[i].tree, jobs[i].seed)
			}
		}(w)
	}
	wg.Wait()
	failures := 0
	worst := map[string]simResult{}
	for i, j := range jobs {
		r := results[i]
		if msg := treeBounds(j.tree, r); msg != "" {
			failures++
			if failures <= 10 {
				t.Errorf("%v (tree seed %d): %s; %+v", j.tree, j.seed, msg, r)
			}
		}
		linked := "linked"
		if treeUnlinked(j.tree) {
			linked = "unlinked"
		}
		shape := fmt.Sprintf("%s same=%v nested=%v k=%d slow=%v", linked, j.tree.same, j.tree.nested, j.tree.k, j.tree.slow)
		w := worst[shape]
		worst[shape] = simResult{maxLive: max(w.maxLive, r.maxLive), maxPast: max(w.maxPast, r.maxPast), maxRunning: max(w.maxRunning, r.maxRunning), mains: max(w.mains, r.mains)}
	}
	if failures > 10 {
		t.Errorf("... %d trees broke a bound in all", failures)
	}
	shapes := make([]string, 0, len(worst))
	for shape := range worst {
		shapes = append(shapes, shape)
	}
	sort.Strings(shapes)
	for _, shape := range shapes {
		w := worst[shape]
		t.Logf("%s: at most %d alive, %d past their guard, %d running main(), %d runs of main()", shape, w.maxLive, w.maxPast, w.maxRunning, w.mains)
	}
}

// treeUnlinked reports whether nothing links a tree's copies to their
// starters once the starter exits.
func treeUnlinked(tr simTree) bool {
	return tr.way.detach && !tr.way.inherit || tr.way.walk && !tr.nested
}

// TestSimulatedTree runs one tree of TestSimulatedLaunchTrees, to look at
// a failure: BUNDLE_RT_TEST_SIM_TREE="k same nested delay slow way start stalls seed".
func TestSimulatedTree(t *testing.T) {
	spec := os.Getenv("BUNDLE_RT_TEST_SIM_TREE")
	if spec == "" {
		t.Skip("BUNDLE_RT_TEST_SIM_TREE not set")
	}
	var tr simTree
	var way int
	var seed int64
	if _, err := fmt.Sscan(spec, &tr.k, &tr.same, &tr.nested, &tr.delay, &tr.slow, &way, &tr.start, &tr.stalls, &seed); err != nil {
		t.Fatal(err)
	}
	tr.way = simWays[way]
	r := runTree(tr, seed)
	t.Logf("%v: %+v; %s", tr, r, treeBounds(tr, r))
}
