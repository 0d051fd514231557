//go:build unix

package worker

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// A Unix table is a file in a folder only its user may write, found
// without the environment (which a relaunch may clear): /dev/shm (memory)
// on Linux, else /tmp. Each live process holds a write lock on its slot,
// through a descriptor it keeps open (and that exec closes); checkers
// serialise on a lock of the byte after the run records. Raw system calls
// keep the start-up cost to a few microseconds.

// processTable is a process's open table.
type processTable struct {
	fd    int
	slots int
	path  string
}

// tableDirs are where tables may live, in order of preference.
func tableDirs() []string {
	if runtime.GOOS == "linux" {
		return []string{"/dev/shm", "/tmp"}
	}
	return []string{"/tmp"}
}

// openTable opens (creating if needed) the table of program app with room
// for slots processes.
func openTable(app string, slots int) (*processTable, error) {
	var errs []string
	for _, base := range tableDirs() {
		t, err := openTableIn(base, app, slots)
		if err == nil {
			return t, nil
		}
		errs = append(errs, err.Error())
	}
	return nil, errors.New(strings.Join(errs, "; "))
}

// openTableIn opens the table in this user's folder below base.
func openTableIn(base, app string, slots int) (*processTable, error) {
	dir := filepath.Join(base, "bundle-rt-"+strconv.Itoa(os.Getuid()))
	if err := ownDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, app)
	fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CREAT|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || int(st.Uid) != os.Getuid() {
		syscall.Close(fd)
		return nil, fmt.Errorf("%s is not a file of this user", path)
	}
	if size := int64((slots+runSlots)*slotSize + 1); st.Size < size {
		if err := syscall.Ftruncate(fd, size); err != nil {
			syscall.Close(fd)
			return nil, fmt.Errorf("size %s: %w", path, err)
		}
	}
	return &processTable{fd: fd, slots: slots, path: path}, nil
}

// ownDir makes sure dir exists, is a folder (not a link), belongs to this
// user and only this user may use it: in a shared /tmp another user could
// otherwise have made it first.
func ownDir(dir string) error {
	var st syscall.Stat_t
	err := syscall.Lstat(dir, &st)
	if err == syscall.ENOENT {
		if err := syscall.Mkdir(dir, 0o700); err != nil && err != syscall.EEXIST {
			return fmt.Errorf("mkdir %s: %w", dir, err)
		}
		err = syscall.Lstat(dir, &st)
	}
	switch {
	case err != nil:
		return fmt.Errorf("stat %s: %w", dir, err)
	case st.Mode&syscall.S_IFMT != syscall.S_IFDIR || int(st.Uid) != os.Getuid() || st.Mode&0o077 != 0:
		return fmt.Errorf("%s is not a private folder of this user", dir)
	}
	return nil
}

// join takes a slot for this process. With a check, it first reads the
// table, holding the check lock so that no other checker decides at the
// same time, and returns check's refusal if it has one.
func (t *processTable) join(me tableEntry, check checkFunc) (string, error) {
	if check == nil {
		return t.take(me)
	}
	return t.checked(check, func() (string, error) { return t.take(me) })
}

// record checks the table as join does and writes the run record check
// returns, unless it refuses.
func (t *processTable) record(check checkFunc) (string, error) {
	return t.checked(check, nil)
}

// checked runs check on the table while holding the check lock; unless it
// refuses, it runs then (when not nil), and writes the run record check
// returns.
func (t *processTable) checked(check checkFunc, then func() (string, error)) (string, error) {
	guard := syscall.Flock_t{Type: syscall.F_WRLCK, Start: t.lockOffset(), Len: 1}
	if err := retryEINTR(func() error { return syscall.FcntlFlock(uintptr(t.fd), syscall.F_SETLKW, &guard) }); err != nil {
		return "", fmt.Errorf("lock %s: %w", t.path, err)
	}
	defer func() {
		guard.Type = syscall.F_UNLCK
		syscall.FcntlFlock(uintptr(t.fd), syscall.F_SETLK, &guard)
	}()
	buf := make([]byte, t.lockOffset())
	if _, err := syscall.Pread(t.fd, buf, 0); err != nil {
		return "", fmt.Errorf("read %s: %w", t.path, err)
	}
	live, err := t.live(buf[:t.slots*slotSize])
	if err != nil {
		return "", err
	}
	runs := buf[t.slots*slotSize:]
	refusal, run := check(tableView{live: live, runs: readRuns(runs)})
	if refusal != "" {
		return refusal, nil
	}
	if then != nil {
		if refusal, err := then(); refusal != "" || err != nil {
			return refusal, err
		}
	}
	if run != nil {
		i, r := runSlot(runs, *run)
		if _, err := syscall.Pwrite(t.fd, encodeRun(r), int64((t.slots+i)*slotSize)); err != nil {
			return "", fmt.Errorf("write %s: %w", t.path, err)
		}
	}
	return "", nil
}

// take locks a free slot and writes this process's entry into it.
func (t *processTable) take(me tableEntry) (string, error) {
	slot, ok := t.claim(me.pid)
	if !ok {
		return ceilingMessage(t.slots), nil
	}
	if _, err := syscall.Pwrite(t.fd, encodeSlot(me), int64(slot*slotSize)); err != nil {
		return "", fmt.Errorf("write %s: %w", t.path, err)
	}
	return "", nil
}

// lockOffset is where the check lock's byte is: after the slots and the
// run records.
func (t *processTable) lockOffset() int64 { return int64((t.slots + runSlots) * slotSize) }

// claim locks a free slot, starting from one that depends on pid so that
// processes seldom try the same slots.
func (t *processTable) claim(pid int) (int, bool) {
	for i := 0; i < t.slots; i++ {
		slot := (pid + i) % t.slots
		lk := syscall.Flock_t{Type: syscall.F_WRLCK, Start: int64(slot * slotSize), Len: slotSize}
		if syscall.FcntlFlock(uintptr(t.fd), syscall.F_SETLK, &lk) == nil {
			return slot, true
		}
	}
	return 0, false
}

// live returns the entries of the slots whose owners hold their lock.
func (t *processTable) live(slots []byte) ([]tableEntry, error) {
	var live []tableEntry
	for slot := 0; slot < t.slots; slot++ {
		e, ok := decodeSlot(slots[slot*slotSize:])
		if !ok {
			continue
		}
		lk := syscall.Flock_t{Type: syscall.F_WRLCK, Start: int64(slot * slotSize), Len: slotSize}
		if err := syscall.FcntlFlock(uintptr(t.fd), syscall.F_GETLK, &lk); err != nil {
			return nil, fmt.Errorf("test %s: %w", t.path, err)
		}
		// Unlocked: its owner is gone. Locked by another pid: a process
		// took the slot and has not written it yet (0: a pid in another
		// pid namespace, which is taken at its word).
		if lk.Type == syscall.F_UNLCK || lk.Pid != 0 && int(lk.Pid) != e.pid {
			continue
		}
		live = append(live, e)
	}
	return live, nil
}

func retryEINTR(f func() error) error {
	for {
		if err := f(); err != syscall.EINTR {
			return err
		}
	}
}
