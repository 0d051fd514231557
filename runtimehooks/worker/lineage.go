package worker

import (
	"hash/fnv"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// lineageMagic starts every lineage record of this version, so a process
// can tell a record from whatever else sits at tokenFD or in the
// environment; lineageKind starts records of every version.
const (
	lineageKind  = "bundle-rt-lineage "
	lineageMagic = lineageKind + "v2"
)

// maxExited is how many exited entries a record keeps, nearest first. The
// rules need only the nearest entry of the program (its starter, which a
// relay has left); a few more keep the chain when other bundled programs
// that exited stand between two copies.
const maxExited = 4

// maxLineage bounds the entries of a record: the live ancestors that count
// towards maxDepth, the exited ones kept, and the process itself.
const maxLineage = maxDepth + 1 + maxExited + 1

// maxRecordSize bounds what a process reads as a record.
const maxRecordSize = 4096

// procKey names one process for good: its pid and its OS start id, which
// tells it from a later process that got the same pid.
type procKey struct {
	pid   int
	start int64
}

// lineageEntry is one hooked process (more exactly: one program image, as
// syscall.Exec starts a new image in the same process) in a record.
type lineageEntry struct {
	app    string // appIdentity of its executable
	pid    int
	start  int64  // OS start id of the process (see processStart); 0 if unknown, below 0 a token that only tells processes apart (ownStart)
	at     int64  // wall clock, Unix ms, when its guard ran; for messages only
	gen    int    // its place in a run of copies making the same call; 1 begins one
	img    int    // its image in the process (syscall.Exec in place); 1 is the first
	worker bool   // it ran as a worker
	call   string // callIdentity: its arguments and working folder
	root   procKey
}

func (e lineageEntry) key() procKey { return procKey{e.pid, e.start} }

// ancestor is an inherited entry and whether its process still runs.
type ancestor struct {
	lineageEntry
	alive bool
}

// formatLineage encodes entries, nearest first, as
// "bundle-rt-lineage v2 <app>:<pid>:<start>:<at>:<gen>:<img>:<m|w>:<call>:<rootpid>:<rootstart> ...".
// It runs at every start, so it appends with strconv rather than fmt.
func formatLineage(entries []lineageEntry) string {
	b := make([]byte, 0, len(lineageMagic)+len(entries)*96)
	b = append(b, lineageMagic...)
	for _, e := range entries {
		kind := byte('m')
		if e.worker {
			kind = 'w'
		}
		b = append(b, ' ')
		b = append(b, e.app...)
		for _, n := range []int64{int64(e.pid), e.start, e.at, int64(e.gen), int64(e.img)} {
			b = strconv.AppendInt(append(b, ':'), n, 10)
		}
		b = append(b, ':', kind, ':')
		b = append(b, e.call...)
		b = strconv.AppendInt(append(b, ':'), int64(e.root.pid), 10)
		b = strconv.AppendInt(append(b, ':'), e.root.start, 10)
	}
	return string(b)
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
	if len(p) != 10 || !isID(p[0]) || (p[6] != "m" && p[6] != "w") || !isID(p[7]) {
		return lineageEntry{}, false
	}
	var n [7]int64
	for i, field := range []string{p[1], p[2], p[3], p[4], p[5], p[8], p[9]} {
		v, err := strconv.ParseInt(field, 10, 64)
		if err != nil || v < 0 && i != 1 && i != 6 { // starts may be tokens
			return lineageEntry{}, false
		}
		n[i] = v
	}
	e := lineageEntry{app: p[0], pid: int(n[0]), start: n[1], at: n[2], gen: int(n[3]), img: int(n[4]),
		worker: p[6] == "w", call: p[7], root: procKey{int(n[5]), n[6]}}
	if e.pid <= 0 || e.at <= 0 || e.gen < 1 || e.img < 1 || e.root.pid <= 0 {
		return lineageEntry{}, false
	}
	return e, true
}

// isID reports whether s is a 16-digit lower-case hex id, as appIdentity
// and callIdentity make.
func isID(s string) bool {
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
// liveness of each entry, and whether tokenFD may be replaced by this
// process's own record. The record comes from the descriptor, else the
// environment, else the nearest ancestor that holds one (a launcher such
// as sudo or pkexec clears the environment and closes descriptors, but
// the process that started it still runs, or its own environment still
// has the record). With none, orphan says whether the parent, ppid, is
// init or a service manager.
func readLineage(ppid int) (lineage []ancestor, tokenFree, orphan bool) {
	record, tokenFree := readTokenFD()
	entries, ok := parseLineage(record)
	if !ok {
		entries, ok = parseLineage(os.Getenv(envLineage))
	}
	if !ok && (ppid <= 1 || launched()) {
		record, orphan = ancestorRecord(ppid)
		entries, ok = parseLineage(record)
	}
	if !ok {
		return nil, tokenFree, orphan
	}
	lineage = make([]ancestor, len(entries))
	for i, e := range entries {
		lineage[i] = ancestor{lineageEntry: e, alive: alive(e)}
	}
	return lineage, tokenFree, false
}

// launched reports whether this process's environment is one a launcher
// gave it: cleared (no PATH), or with the variables sudo, pkexec, doas or
// systemd set. Only then can its record be lost while its starter still
// has one (the copy of a program, started through such a launcher, which
// also closes every descriptor), so only then is it worth the system calls
// of the walk up the ancestors, at every start.
func launched() bool {
	if _, ok := os.LookupEnv("PATH"); !ok {
		return true
	}
	for _, v := range []string{"SUDO_UID", "PKEXEC_UID", "DOAS_USER", "INVOCATION_ID"} {
		if _, ok := os.LookupEnv(v); ok {
			return true
		}
	}
	return false
}

// appIdentity returns an id that every copy, hard link and symbolic link of
// this executable shares, and other programs do not. The bundler links one
// in (buildAppID: a hash of the module, main package, version and hook
// settings), which costs nothing at start. Otherwise it is a hash of the
// build information the go command embeds (module, main package, version,
// VCS revision, build flags) and of the file size: one stat, as hashing a
// 50 MB executable at every start would cost milliseconds. The path is no
// part of it, as copies and links differ in path.
func appIdentity() string {
	if isID(buildAppID) {
		return buildAppID
	}
	exe := executable()
	h := fnv.New64a()
	write := func(s ...string) {
		for _, x := range s {
			io.WriteString(h, x)
			h.Write([]byte{0})
		}
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		write(info.Path, info.Main.Path, info.Main.Version, info.Main.Sum)
		for _, s := range info.Settings {
			write(s.Key, s.Value)
		}
	} else {
		write(exe) // no build information: the path is all there is
	}
	if exe != "" {
		if fi, err := os.Stat(exe); err == nil {
			write("size", strconv.FormatInt(fi.Size(), 10))
		}
	}
	return hex16(h.Sum64())
}

// callIdentity returns an id of what a process was asked to do: its
// arguments (without argv[0], which differs between a link, a copy and the
// program itself) and its working folder. A naive relaunch passes both on
// unchanged; a nested call, an alias, a task or a preview passes other
// arguments, or runs in another folder.
func callIdentity(args []string, dir string) string {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		dir = strings.ToLower(dir) // case-insensitive file systems, as exeID
	}
	h := fnv.New64a()
	for _, s := range append([]string{strconv.Itoa(len(args)), dir}, args...) {
		// Each string with its length first, so no two lists hash alike
		// by moving a boundary.
		io.WriteString(h, strconv.Itoa(len(s)))
		h.Write([]byte{0})
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	return hex16(h.Sum64())
}
