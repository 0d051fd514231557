// Package delta makes the binary deltas that runtimehooks/update/delta
// applies: a patch per changed file (bsdiff's method, in that package's
// layout) and a delta that turns the files of the previous version into
// those of this one (both unpacked by runtimehooks/update/archive).
//
// No maintained Go module makes bsdiff patches (the known ones are
// unmaintained and not served here), and the client must apply them with
// the standard library alone, so both halves are written here.
package delta

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"index/suffixarray"
	"io"

	rtdelta "github.com/bundlekit/bundle/runtimehooks/update/delta"
)

// Diff writes the patch that makes new of old. It stops with ctx's error
// when ctx ends: a large file takes seconds.
func Diff(ctx context.Context, old, new []byte, w io.Writer) error {
	sa, err := suffixArray(old)
	if err != nil {
		return err
	}
	var ctrl, diff, extra bytes.Buffer
	var tmp [binary.MaxVarintLen64]byte
	emit := func(add, cp int, seek int64) {
		ctrl.Write(tmp[:binary.PutUvarint(tmp[:], uint64(add))])
		ctrl.Write(tmp[:binary.PutUvarint(tmp[:], uint64(cp))])
		ctrl.Write(tmp[:binary.PutVarint(tmp[:], seek)])
	}
	s := scanner{old: old, new: new, sa: sa, done: ctx.Done()}
	stopped := s.run(func(lastScan, lastPos, lenF, scan, lenB, pos int) {
		for i := 0; i < lenF; i++ {
			diff.WriteByte(new[lastScan+i] - old[lastPos+i])
		}
		extra.Write(new[lastScan+lenF : scan-lenB])
		emit(lenF, (scan-lenB)-(lastScan+lenF), int64((pos-lenB)-(lastPos+lenF)))
	})
	if stopped {
		return ctx.Err()
	}
	var blocks [3][]byte
	for i, b := range [][]byte{ctrl.Bytes(), diff.Bytes(), extra.Bytes()} {
		var z bytes.Buffer
		fw, _ := flate.NewWriter(&z, flate.BestCompression)
		fw.Write(b)
		if err := fw.Close(); err != nil {
			return err
		}
		blocks[i] = z.Bytes()
	}
	h := make([]byte, 0, len(rtdelta.Magic)+32)
	h = append(h, rtdelta.Magic...)
	for _, n := range []int{len(new), len(blocks[0]), len(blocks[1]), len(blocks[2])} {
		h = binary.LittleEndian.AppendUint64(h, uint64(n))
	}
	for _, b := range append([][]byte{h}, blocks[:]...) {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// scanner walks new, choosing for each stretch the place in old it is
// most like: bsdiff's scan. An exact match found through the suffix array
// is taken when it beats, by more than 8 bytes, what the previous match's
// offset would give byte for byte; each match is then extended forwards
// and backwards as long as more than half the bytes agree, and what lies
// between is stored whole.
type scanner struct {
	old, new []byte
	sa       []int32
	done     <-chan struct{} // closed to stop the scan
}

// run scans new, calling emit for each stretch; it reports whether it
// stopped early because done was closed.
func (s *scanner) run(emit func(lastScan, lastPos, lenF, scan, lenB, pos int)) bool {
	old, new := s.old, s.new
	var scan, n, pos, lastScan, lastPos, lastOffset int
	for scan < len(new) {
		if s.stopped() {
			return true
		}
		oldScore := 0
		scan += n
		for scsc := scan; scan < len(new); scan++ {
			if scan&0xfff == 0 && s.stopped() {
				return true
			}
			pos, n = s.search(new[scan:])
			for ; scsc < scan+n; scsc++ {
				if scsc+lastOffset < len(old) && old[scsc+lastOffset] == new[scsc] {
					oldScore++
				}
			}
			if n == oldScore && n != 0 || n > oldScore+8 {
				break
			}
			if scan+lastOffset < len(old) && old[scan+lastOffset] == new[scan] {
				oldScore--
			}
		}
		if n == oldScore && scan != len(new) {
			continue
		}
		// Forwards from the last match.
		lenF := 0
		for i, same, best := 0, 0, 0; lastScan+i < scan && lastPos+i < len(old); i++ {
			if old[lastPos+i] == new[lastScan+i] {
				same++
			}
			if same*2-(i+1) > best*2-lenF {
				best, lenF = same, i+1
			}
		}
		// Backwards from this one.
		lenB := 0
		if scan < len(new) {
			for i, same, best := 1, 0, 0; scan >= lastScan+i && pos >= i; i++ {
				if old[pos-i] == new[scan-i] {
					same++
				}
				if same*2-i > best*2-lenB {
					best, lenB = same, i
				}
			}
		}
		// Where the two extensions overlap, split where the bytes agree best.
		if overlap := lastScan + lenF - (scan - lenB); overlap > 0 {
			same, best, lenS := 0, 0, 0
			for i := 0; i < overlap; i++ {
				if new[lastScan+lenF-overlap+i] == old[lastPos+lenF-overlap+i] {
					same++
				}
				if new[scan-lenB+i] == old[pos-lenB+i] {
					same--
				}
				if same > best {
					best, lenS = same, i+1
				}
			}
			lenF += lenS - overlap
			lenB -= lenS
		}
		emit(lastScan, lastPos, lenF, scan, lenB, pos)
		lastScan, lastPos, lastOffset = scan-lenB, pos-lenB, pos-scan
	}
	return false
}

func (s *scanner) stopped() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// search returns where in old the longest prefix of b starts, and its length.
func (s *scanner) search(b []byte) (pos, n int) {
	lo, hi := 0, len(s.sa)
	if hi == 0 {
		return 0, 0
	}
	// Binary search for the suffixes around b; the longest common prefix
	// is with one of the two neighbours where the search ends.
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if bytes.Compare(s.old[s.sa[mid]:], b) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	for _, i := range []int{lo, min(hi, len(s.sa)-1)} {
		p := int(s.sa[i])
		if m := commonPrefix(s.old[p:], b); m > n {
			pos, n = p, m
		}
	}
	return pos, n
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// suffixArray returns the sorted suffixes of data. index/suffixarray
// builds the array (SA-IS, linear time) but does not export it; its Write
// format, which Read must go on reading, is the length (a varint in 10
// bytes), the data, then chunks of uvarints each after its size in bytes
// (a varint in 10 bytes, that size included). The array read back is
// checked: every position once, and in order.
func suffixArray(data []byte) ([]int32, error) {
	if len(data) >= 1<<31-1 {
		return nil, fmt.Errorf("delta: a file of %d bytes is too large to diff", len(data))
	}
	idx := suffixarray.New(data)
	// Read as it is written: the array is not held twice more in between.
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(idx.Write(pw)) }()
	defer pr.Close()
	r := bufio.NewReaderSize(pr, 1<<20)
	const fixed = binary.MaxVarintLen64
	bad := fmt.Errorf("delta: index/suffixarray wrote a layout this version does not know")
	var head [fixed]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	if n, _ := binary.Varint(head[:]); n != int64(len(data)) {
		return nil, bad
	}
	if _, err := io.CopyN(io.Discard, r, int64(len(data))); err != nil {
		return nil, err
	}
	sa := make([]int32, 0, len(data))
	var chunk []byte
	for {
		if _, err := io.ReadFull(r, head[:]); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		size, _ := binary.Varint(head[:])
		if size < fixed || size-fixed > 1<<30 {
			return nil, bad
		}
		if n := int(size - fixed); cap(chunk) < n {
			chunk = make([]byte, n)
		} else {
			chunk = chunk[:n]
		}
		if _, err := io.ReadFull(r, chunk); err != nil {
			return nil, err
		}
		for rest := chunk; len(rest) > 0; {
			v, k := binary.Uvarint(rest)
			if k <= 0 || len(sa) == len(data) {
				return nil, bad
			}
			sa = append(sa, int32(v))
			rest = rest[k:]
		}
	}
	if err := checkSorted(data, sa); err != nil {
		return nil, err
	}
	return sa, nil
}

// checkSorted checks that sa holds every position of data once, each
// suffix before the next in byte order (compared on their first 64 bytes,
// enough to catch a layout read wrong).
func checkSorted(data []byte, sa []int32) error {
	if len(sa) != len(data) {
		return fmt.Errorf("delta: the suffix array has %d entries for %d bytes", len(sa), len(data))
	}
	seen := make([]uint64, len(data)/64+1)
	for i, p := range sa {
		if p < 0 || int(p) >= len(data) || seen[p/64]&(1<<(p%64)) != 0 {
			return fmt.Errorf("delta: the suffix array read back is not a permutation")
		}
		seen[p/64] |= 1 << (p % 64)
		if i > 0 {
			a, b := data[sa[i-1]:], data[p:]
			if bytes.Compare(a[:min(64, len(a))], b[:min(64, len(b))]) > 0 {
				return fmt.Errorf("delta: the suffix array read back is out of order")
			}
		}
	}
	return nil
}
