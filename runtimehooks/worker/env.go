package worker

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Environment variables of the runtime protocol (see the package doc).
const (
	envParent   = "BUNDLE_RT_PARENT"
	envWorker   = "BUNDLE_RT_WORKER"
	envLifeline = "BUNDLE_RT_LIFELINE"
	envGraceMS  = "BUNDLE_RT_GRACE_MS"
	envRelaunch = "BUNDLE_RT_RELAUNCH"
	envGuard    = "BUNDLE_RT_GUARD"
	envLineage  = "BUNDLE_RT_LINEAGE"
)

// ProtocolVersion is the version tag of the BUNDLE_RT_PARENT marker.
// Markers of another version are treated as absent.
const ProtocolVersion = "v1"

// defaultGrace is the stop grace period when neither the bundler nor the
// caller chose one.
const defaultGrace = 5 * time.Second

// parentMarker is the parsed value of BUNDLE_RT_PARENT: who set it, how many
// generations of hooked processes lie above it, and which program it runs
// (appIdentity).
type parentMarker struct {
	pid   int
	depth int
	app   string
}

func (m parentMarker) String() string {
	return ProtocolVersion + ":" + strconv.Itoa(m.pid) + ":" + strconv.Itoa(m.depth) + ":" + m.app
}

// parseParentMarker parses "v1:<pid>:<depth>:<exeid>". It reports false for
// an empty, malformed or foreign-version marker.
func parseParentMarker(s string) (parentMarker, bool) {
	fields := strings.Split(s, ":")
	if len(fields) != 4 || fields[0] != ProtocolVersion || fields[3] == "" {
		return parentMarker{}, false
	}
	pid, err := strconv.Atoi(fields[1])
	if err != nil || pid <= 0 {
		return parentMarker{}, false
	}
	depth, err := strconv.Atoi(fields[2])
	if err != nil || depth < 0 {
		return parentMarker{}, false
	}
	return parentMarker{pid: pid, depth: depth, app: fields[3]}, true
}

// executable returns the path that starts copies of this program, "" if
// it cannot be found. It is looked up once, when first needed (to start a
// worker or a relaunch, or to name a log file), not at every start.
func executable() string {
	exePath.once.Do(func() {
		if exe, err := os.Executable(); err == nil {
			exePath.path = exe
		}
	})
	return exePath.path
}

// exePath is executable's answer. sync.Once, not sync.OnceValue, which
// needs generics, which a module older than go 1.18 cannot compile.
var exePath struct {
	once sync.Once
	path string
}

// parseGrace reads a grace period given as a Go duration ("5s"); empty or
// invalid values, and non-positive ones, give the default.
func parseGrace(s string) time.Duration {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return defaultGrace
	}
	return d
}

// parseGraceMS reads BUNDLE_RT_GRACE_MS, falling back to def.
func parseGraceMS(s string, def time.Duration) time.Duration {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms <= 0 {
		return def
	}
	return time.Duration(ms) * time.Millisecond
}

// takeEnv returns the value of an environment variable and removes it, so a
// one-shot setting is not inherited by this process's own children.
func takeEnv(key string) string {
	v, ok := os.LookupEnv(key)
	if ok {
		os.Unsetenv(key)
	}
	return v
}
