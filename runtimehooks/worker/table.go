package worker

import (
	"encoding/binary"
	"strconv"
)

// The process table: one per program (appIdentity) and user, shared by
// every process of that program, with one slot per live process. It is
// what makes two rules hold that no single process can see alone: the cap
// on the live processes of a lineage, and that a restart of a restart is
// the only copy of its call. A slot is live exactly while its process
// runs, whatever way that process ends (kill -9 included): on Unix its
// owner holds a record lock on it, which the kernel drops when the process
// dies; on Windows the owner's pid and creation time name it, and a
// process that no longer runs owns nothing. The table also bounds every
// program at ceilingFactor x maxProcs live processes per user, even when
// no channel links a copy to its starter.

// slotSize is the size of one slot. A table is slots process slots, then
// runSlots run records, then (on Unix) the byte whose lock serialises the
// processes that check the table.
const (
	slotSize = 64
	runSlots = 64
)

// slotMagic marks a written process slot of this layout, runMagic a run
// record.
const (
	slotMagic = "brt2"
	runMagic  = "brr2"
)

// tableEntry is what a slot says about its process.
type tableEntry struct {
	pid    int
	start  int64
	root   procKey
	call   string
	gen    int
	worker bool
}

func (e tableEntry) key() procKey { return procKey{e.pid, e.start} }

// encodeSlot writes e into a slot's bytes.
func encodeSlot(e tableEntry) []byte {
	b := make([]byte, slotSize)
	copy(b, slotMagic)
	le := binary.LittleEndian
	le.PutUint32(b[4:], uint32(e.pid))
	le.PutUint64(b[8:], uint64(e.start))
	le.PutUint32(b[16:], uint32(e.root.pid))
	le.PutUint64(b[24:], uint64(e.root.start))
	call, _ := strconv.ParseUint(e.call, 16, 64)
	le.PutUint64(b[32:], call)
	le.PutUint32(b[40:], uint32(e.gen))
	if e.worker {
		b[44] = 1
	}
	return b
}

// decodeSlot reads a slot; false for a slot never written or written by
// another layout.
func decodeSlot(b []byte) (tableEntry, bool) {
	if len(b) < slotSize || string(b[:4]) != slotMagic {
		return tableEntry{}, false
	}
	le := binary.LittleEndian
	e := tableEntry{
		pid:    int(le.Uint32(b[4:])),
		start:  int64(le.Uint64(b[8:])),
		root:   procKey{int(le.Uint32(b[16:])), int64(le.Uint64(b[24:]))},
		call:   hex16(le.Uint64(b[32:])),
		gen:    int(le.Uint32(b[40:])),
		worker: b[44] == 1,
	}
	return e, e.pid > 0
}

// runRecord remembers how far a run of copies making one call has got in a
// lineage: the highest place (gen) a copy of it was admitted at. Unlike a
// process slot it outlives its processes, because a copy that starts late
// (a slow start on a loaded machine) must still find that its place was
// taken; records are reused least recently written first, and only when
// all runSlots are taken.
type runRecord struct {
	root procKey
	call string
	gen  int
	seq  uint64 // when it was written, in writes to the table
}

// tableView is what a process that checks the table sees of it.
type tableView struct {
	live []tableEntry // entries whose processes run
	runs []runRecord
}

func encodeRun(r runRecord) []byte {
	b := make([]byte, slotSize)
	copy(b, runMagic)
	le := binary.LittleEndian
	le.PutUint32(b[4:], uint32(r.gen))
	le.PutUint32(b[16:], uint32(r.root.pid))
	le.PutUint64(b[24:], uint64(r.root.start))
	call, _ := strconv.ParseUint(r.call, 16, 64)
	le.PutUint64(b[32:], call)
	le.PutUint64(b[40:], r.seq)
	return b
}

func decodeRun(b []byte) (runRecord, bool) {
	if len(b) < slotSize || string(b[:4]) != runMagic {
		return runRecord{}, false
	}
	le := binary.LittleEndian
	return runRecord{
		gen:  int(le.Uint32(b[4:])),
		root: procKey{int(le.Uint32(b[16:])), int64(le.Uint64(b[24:]))},
		call: hex16(le.Uint64(b[32:])),
		seq:  le.Uint64(b[40:]),
	}, true
}

// readRuns decodes the run records area.
func readRuns(area []byte) []runRecord {
	var runs []runRecord
	for i := 0; i+slotSize <= len(area); i += slotSize {
		if r, ok := decodeRun(area[i:]); ok {
			runs = append(runs, r)
		}
	}
	return runs
}

// runSlot returns where in the run records area r goes: its own record,
// else an empty one, else the least recently written; and r with its seq.
func runSlot(area []byte, r runRecord) (int, runRecord) {
	empty, oldest, newest := -1, 0, uint64(0)
	oldestSeq := ^uint64(0)
	same := -1
	for i := 0; i*slotSize < len(area); i++ {
		old, ok := decodeRun(area[i*slotSize:])
		switch {
		case !ok:
			if empty < 0 {
				empty = i
			}
			continue
		case old.root == r.root && old.call == r.call:
			same = i
		}
		if old.seq > newest {
			newest = old.seq
		}
		if old.seq < oldestSeq {
			oldest, oldestSeq = i, old.seq
		}
	}
	r.seq = newest + 1
	switch {
	case same >= 0:
		return same, r
	case empty >= 0:
		return empty, r
	}
	return oldest, r
}

// hex16 formats v as 16 lower-case hex digits, as the ids are written;
// fmt would cost more than reading the table.
func hex16(v uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[v&0xf]
		v >>= 4
	}
	return string(b[:])
}

// tableName is the file or object name of a program's table.
func tableName(app string) string { return "bundle-rt-" + app }
