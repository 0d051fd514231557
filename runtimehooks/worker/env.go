package worker

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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
// generations of hooked processes lie above it, and which executable it runs.
type parentMarker struct {
	pid   int
	depth int
	exeID string
}

func (m parentMarker) String() string {
	return fmt.Sprintf("%s:%d:%d:%s", ProtocolVersion, m.pid, m.depth, m.exeID)
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
	return parentMarker{pid: pid, depth: depth, exeID: fields[3]}, true
}

// executableIdentity returns the path used to start copies of this program
// and a short id that is equal for every process running the same file.
func executableIdentity() (exe, id string) {
	exe, err := os.Executable()
	if err != nil {
		// Without a path, fall back to argv[0]: still stable for the
		// common "exec.Command(os.Args[0])" respawn.
		if len(os.Args) > 0 {
			return "", exeID(os.Args[0])
		}
		return "", exeID("")
	}
	resolved, err := filepath.EvalSymlinks(exe)
	if err != nil {
		resolved = exe
	}
	return exe, exeID(resolved)
}

// exeID hashes an executable path. Paths are case-insensitive on the default
// file systems of Windows and macOS, so they are lower-cased there.
func exeID(path string) string {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		path = strings.ToLower(path)
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	return fmt.Sprintf("%016x", h.Sum64())
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
