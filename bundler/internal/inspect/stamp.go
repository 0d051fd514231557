package inspect

import (
	"bytes"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/hook"
)

// stampEnd closes the stamp that starts with hook.StampPrefix.
const stampEnd = ";end"

// maxStampBody bounds the settings between the stamp's prefix and its end.
const maxStampBody = 256

// stampScanner finds the runtime hook's stamp in bytes written to it in
// pieces of any size, so an executable is searched as it streams past and
// never needs to be held whole.
type stampScanner struct {
	carry []byte // the end of what was written so far, which may hold the stamp's start
	hook  Hook
	found bool
	seen  int64 // bytes written
}

func (s *stampScanner) Write(p []byte) (int, error) {
	s.seen += int64(len(p))
	if s.found {
		return len(p), nil
	}
	// Where the last piece and this one meet: only a stamp that starts in
	// the carried bytes is looked for here; the piece itself is searched
	// where it lies, without copying it.
	if c := len(s.carry); c > 0 {
		join := append(s.carry, p[:min(len(p), len(hook.StampPrefix)+maxStampBody+len(stampEnd))]...)
		switch at, found := s.search(join, c); {
		case found:
			s.carry = nil
			return len(p), nil
		case at >= 0: // this piece is too short to end it: carry on
			s.carry = join[at:]
			return len(p), nil
		}
	}
	switch at, found := s.search(p, len(p)); {
	case found:
		s.carry = nil
	case at >= 0:
		s.carry = append([]byte(nil), p[at:]...)
	default: // keep what could be the start of a stamp the next piece ends
		keep := len(hook.StampPrefix) - 1
		if len(p) < keep {
			p = append(s.carry, p...)
		}
		s.carry = append([]byte(nil), p[max(0, len(p)-keep):]...)
	}
	return len(p), nil
}

// search looks for a stamp starting before limit in buf. found: it was
// read into s.hook; else at is where one starts whose end may lie past
// buf (-1: none).
func (s *stampScanner) search(buf []byte, limit int) (at int, found bool) {
	prefix := []byte(hook.StampPrefix)
	for from := 0; from < limit; {
		i := bytes.Index(buf[from:], prefix)
		if i < 0 || from+i >= limit {
			return -1, false
		}
		i += from
		rest := buf[i+len(prefix):]
		switch j := bytes.Index(rest, []byte(stampEnd)); {
		case j >= 0 && j <= maxStampBody:
			s.hook, s.found = parseStamp(string(rest[:j])), true
			return i, true
		case j < 0 && len(rest) < maxStampBody+len(stampEnd):
			return i, false
		}
		from = i + 1
	}
	return -1, false
}

// parseStamp reads the settings a stamp holds, as guard=chain;grace=5s.
func parseStamp(body string) Hook {
	h := Hook{Present: true}
	for _, kv := range strings.Split(body, ";") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "guard":
			h.Guard = v
		case "grace":
			h.Grace = v
		case "max_procs":
			h.MaxProcs = v
		}
	}
	return h
}
