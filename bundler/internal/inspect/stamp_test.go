package inspect

import (
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/hook"
)

// TestStampScanner feeds the stamp in pieces of every size, split at every
// place, among decoys: a prefix without an end, and an end too far away.
func TestStampScanner(t *testing.T) {
	// Joined at run time: a constant would put a stamp into the test's
	// own executable, which other tests inspect.
	stamp := strings.Join([]string{hook.StampPrefix, "guard=chain;grace=5s;max_procs=64", stampEnd}, "")
	decoys := strings.Join([]string{hook.StampPrefix, "guard=x", strings.Repeat("y", maxStampBody+1), stampEnd}, "")
	data := strings.Repeat("x", 1000) + decoys + strings.Repeat("z", 500) + stamp + "tail"
	for piece := 1; piece <= len(data); piece = piece*2 + 1 {
		for offset := range min(piece, 40) {
			var s stampScanner
			s.Write([]byte(data[:offset]))
			for i := offset; i < len(data); i += piece {
				s.Write([]byte(data[i:min(i+piece, len(data))]))
			}
			if want := (Hook{Present: true, Guard: "chain", Grace: "5s", MaxProcs: "64"}); s.hook != want || s.seen != int64(len(data)) {
				t.Fatalf("pieces of %d from %d: %+v after %d bytes", piece, offset, s.hook, s.seen)
			}
		}
	}
	var none stampScanner
	none.Write([]byte(decoys + strings.Repeat("q", 3000)))
	if none.found || len(none.carry) > len(hook.StampPrefix)+maxStampBody+len(stampEnd) {
		t.Errorf("decoys only: found %v, carried %d bytes", none.found, len(none.carry))
	}
}
