package worker

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// lineageMagic starts every lineage record of this version, so a process
// can tell a record from whatever else sits at tokenFD or in the
// environment; lineageKind starts records of every version.
const (
	lineageKind  = "bundle-rt-lineage "
	lineageMagic = lineageKind + "v1"
)

// relaunchWindow is how soon after a process of this program started a copy
// must start to count as a quick relaunch that continues its chain. The
// fork bomb relaunches within milliseconds; people and schedulers (a
// self-update, a restart after a crash with back-off, a command typed in a
// terminal the app opened) take longer. 2s leaves room for a slow, loaded
// machine and for a program that does some work in main() before it
// relaunches; a naive chain slower than that is one process every 2s, not a
// fork bomb.
const relaunchWindow = 2 * time.Second

// maxLineage bounds the entries of a record: the live ancestors that count
// towards maxDepth, plus recently exited ones that still matter to the
// chain rule.
const maxLineage = 2 * (maxDepth + 1)

// maxRecordSize bounds what a process reads as a record.
const maxRecordSize = 4096

// lineageEntry is one hooked process (more exactly: one program image, as
// syscall.Exec starts a new image in the same process) in a record.
type lineageEntry struct {
	app    string // appIdentity of its executable
	pid    int
	start  int64 // OS start id of the process (see processStart); 0 if unknown
	at     int64 // wall clock, Unix ms, when its guard ran
	gen    int   // its generation in a chain of quick relaunches; 1 is a root
	img    int   // its image in a chain of quick in-place execs; 1 is the first
	worker bool  // it ran as a worker
}

// ancestor is an inherited entry and whether its process still runs.
type ancestor struct {
	lineageEntry
	alive bool
}

// formatLineage encodes entries, nearest first, as
// "bundle-rt-lineage v1 <app>:<pid>:<start>:<at>:<gen>:<img>:<m|w> ...".
func formatLineage(entries []lineageEntry) string {
	var b strings.Builder
	b.WriteString(lineageMagic)
	for _, e := range entries {
		kind := "m"
		if e.worker {
			kind = "w"
		}
		fmt.Fprintf(&b, " %s:%d:%d:%d:%d:%d:%s", e.app, e.pid, e.start, e.at, e.gen, e.img, kind)
	}
	return b.String()
}

// parseLineage decodes a record. Anything malformed, foreign or oversized
// is no record at all: it may be another program's data.
func parseLineage(s string) ([]lineageEntry, bool) {
	s = strings.TrimSuffix(s, "\n")
	rest, ok := strings.CutPrefix(s, lineageMagic+" ")
	if !ok || len(s) > maxRecordSize {
		return nil, false
	}
	fields := strings.Split(rest, " ")
	if len(fields) > maxLineage {
		return nil, false
	}
	entries := make([]lineageEntry, 0, len(fields))
	for _, f := range fields {
		e, ok := parseEntry(f)
		if !ok {
			return nil, false
		}
		entries = append(entries, e)
	}
	return entries, true
}

func parseEntry(s string) (lineageEntry, bool) {
	p := strings.Split(s, ":")
	if len(p) != 7 || !isAppID(p[0]) || (p[6] != "m" && p[6] != "w") {
		return lineageEntry{}, false
	}
	var n [5]int64
	for i := range n {
		v, err := strconv.ParseInt(p[i+1], 10, 64)
		if err != nil || v < 0 {
			return lineageEntry{}, false
		}
		n[i] = v
	}
	e := lineageEntry{app: p[0], pid: int(n[0]), start: n[1], at: n[2], gen: int(n[3]), img: int(n[4]), worker: p[6] == "w"}
	if e.pid <= 0 || e.at <= 0 || e.gen < 1 || e.img < 1 {
		return lineageEntry{}, false
	}
	return e, true
}

func isAppID(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// readLineage returns the inherited record, nearest first, with the
// liveness of each entry, from the descriptor or else the environment, and
// whether tokenFD may be replaced by this process's own record.
func readLineage() (lineage []ancestor, tokenFree bool) {
	record, tokenFree := readTokenFD()
	entries, ok := parseLineage(record)
	if !ok {
		entries, ok = parseLineage(os.Getenv(envLineage))
	}
	if !ok {
		return nil, tokenFree
	}
	lineage = make([]ancestor, len(entries))
	for i, e := range entries {
		lineage[i] = ancestor{lineageEntry: e, alive: alive(e)}
	}
	return lineage, tokenFree
}

// appIdentity returns an id that every copy, hard link and symbolic link of
// this executable shares, and other programs do not: a hash of the build
// information the go command embeds (module, main package, version, VCS
// revision, build flags) and of the file size. It reads nothing but one
// stat: hashing a 50 MB executable at every start would cost milliseconds.
// The path is no part of it, as copies and links differ in path.
func appIdentity(exe string) string {
	h := fnv.New64a()
	if info, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", info.Path, info.Main.Path, info.Main.Version, info.Main.Sum)
		for _, s := range info.Settings {
			fmt.Fprintf(h, "%s=%s\x00", s.Key, s.Value)
		}
	} else {
		io.WriteString(h, exeID(exe)) // no build information: the path is all there is
	}
	if exe != "" {
		if fi, err := os.Stat(exe); err == nil {
			fmt.Fprintf(h, "size=%d", fi.Size())
		}
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// quick reports whether a process whose guard ran at now (Unix ms) started
// within relaunchWindow of the process whose guard ran at then. A clock
// step backwards by less than the window also counts as quick.
func quick(then, now int64) bool {
	d := now - then
	if d < 0 {
		d = -d
	}
	return d < relaunchWindow.Milliseconds()
}
