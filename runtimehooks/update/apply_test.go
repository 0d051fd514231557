//go:build linux

package update

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/internal/winetest"
)

// appBuilds holds the test app (testdata/app) built once per test binary
// at each version and behaviour, and the jail every run of it goes
// through: Restart relaunches the app, so a broken guard could multiply.
var appBuilds struct {
	once sync.Once
	dir  string
	jail string
	err  error
}

func buildApps(t *testing.T) (dir, jail string) {
	t.Helper()
	appBuilds.once.Do(func() {
		dir, err := os.MkdirTemp("", "update-apps-")
		if err != nil {
			appBuilds.err = err
			return
		}
		os.Chmod(dir, 0o755)
		appBuilds.dir = dir
		build := func(out, pkg string, ldflags string) error {
			goos := "linux"
			if strings.HasSuffix(out, ".exe") {
				goos = "windows"
			}
			cmd := exec.Command("go", "build", "-ldflags", ldflags, "-o", filepath.Join(dir, out), pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOOS="+goos, "GOARCH=amd64")
			if b, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("go build %s: %v\n%s", out, err, b)
			}
			return nil
		}
		const pkg = "github.com/bundlekit/bundle/runtimehooks/update."
		for _, b := range []struct{ out, version, behavior string }{
			{"app-1.0.0", "1.0.0", "ok"}, {"app-1.1.0-ok", "1.1.0", "ok"}, {"app-1.1.0-exit", "1.1.0", "exit"}, {"app-1.1.0-hang", "1.1.0", "hang"},
			{"app-1.0.0.exe", "1.0.0", "ok"}, {"app-1.1.0-ok.exe", "1.1.0", "ok"}, {"app-1.1.0-exit.exe", "1.1.0", "exit"},
		} {
			if appBuilds.err = build(b.out, "./testdata/app", "-X "+pkg+"builtVersion="+b.version+" -X main.behavior="+b.behavior); appBuilds.err != nil {
				return
			}
		}
		if appBuilds.err = build("jail", "../internal/jail", ""); appBuilds.err != nil {
			return
		}
		appBuilds.jail = filepath.Join(dir, "jail")
	})
	if appBuilds.err != nil {
		t.Fatal(appBuilds.err)
	}
	if err := exec.Command(appBuilds.jail, "--", "true").Run(); err != nil {
		msg := fmt.Sprintf("cannot jail the test app (%v): run as root, or where a pids cgroup can be made", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return appBuilds.dir, appBuilds.jail
}

// layout is how an install is laid out on disk.
type layout struct {
	goos   string
	kind   Kind
	format string
	exe    string // the executable below the install's folder
	top    string // the archive's top folder
}

var (
	portableLayout = layout{"linux", Portable, "tar.gz", "app", "app_1.1.0_linux_amd64"}
	appLayout      = layout{"linux", App, "app", "Contents/MacOS/app", "Hello.app"}
	windowsLayout  = layout{"windows", Portable, "zip", "app.exe", "app_1.1.0_windows_amd64"}
)

// files is an install's content: the executable, its .data file naming
// the version (so a mix of versions shows), and a blob big enough that an
// apply takes a while.
func files(t *testing.T, exe, version string, blob int) map[string][]byte {
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"": data, ".data": []byte(version), "-blob": bytes.Repeat([]byte(version[:1]), blob)}
}

// install lays out the install at dir.
func install(t *testing.T, dir string, l layout, content map[string][]byte) string {
	t.Helper()
	exe := filepath.Join(dir, l.exe)
	for suffix, data := range content {
		mode := os.FileMode(0o644)
		if suffix == "" {
			mode = 0o755
		}
		os.MkdirAll(filepath.Dir(exe), 0o755)
		if err := os.WriteFile(exe+suffix, data, mode); err != nil {
			t.Fatal(err)
		}
	}
	return exe
}

// packArchive packs content as bundle does for the layout's format.
func packArchive(t *testing.T, l layout, content map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	names := map[string]os.FileMode{}
	for suffix := range content {
		names[suffix] = 0o644
		if suffix == "" {
			names[suffix] = 0o755
		}
	}
	switch l.format {
	case "tar.gz":
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		tw.WriteHeader(&tar.Header{Name: l.top + "/", Typeflag: tar.TypeDir, Mode: 0o755})
		for suffix, mode := range names {
			tw.WriteHeader(&tar.Header{Name: l.top + "/" + l.exe + suffix, Mode: int64(mode), Size: int64(len(content[suffix])), Typeflag: tar.TypeReg})
			tw.Write(content[suffix])
		}
		tw.Close()
		gz.Close()
	default:
		zw := zip.NewWriter(&buf)
		for suffix, mode := range names {
			h := &zip.FileHeader{Name: l.top + "/" + l.exe + suffix, Method: zip.Deflate}
			h.SetMode(mode)
			w, _ := zw.CreateHeader(h)
			w.Write(content[suffix])
		}
		zw.Close()
	}
	return buf.Bytes()
}

// publish puts a release with the archive on the server and a feed
// listing it, signed by key.
func (s *server) publish(t *testing.T, key testKey, version string, l layout, data []byte) {
	t.Helper()
	sum := sha256.Sum256(data)
	name := "app_" + version + "." + l.format
	if l.format == "app" {
		name = "app_" + version + ".app.zip"
	}
	s.put("/dl/"+name, data)
	f := &Feed{
		Format: FeedFormat, App: "App", Channel: "stable", Version: version, Released: time.Now().Add(-time.Hour).UTC().Truncate(time.Second),
		Expires: time.Now().AddDate(0, 0, 30).UTC().Truncate(time.Second), Rollout: 100,
		Files: []File{{OS: l.goos, Arch: "amd64", Kind: l.kind, Format: l.format, Name: name, URL: s.URL + "/dl/" + name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}},
	}
	feed, _ := f.Marshal()
	s.put("/update-stable.json", feed)
	s.put("/update-stable.json.minisig", key.sign(feed))
}

// run runs the app at exe in the jail and returns its output and exit code.
func run(t *testing.T, jail, exe string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(jail, append([]string{"-tasks", "64", "-timeout", "60s", "--", exe}, args...)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", exe, err)
		}
		code = ee.ExitCode()
	}
	return string(out), code
}

// TestApply updates an installed app, portable and as a .app bundle laid
// out on disk: it finds, verifies, downloads and installs 1.1.0, restarts
// into it, and the new version reports healthy; the folder then holds
// 1.1.0 whole and nothing of the update is left.
func TestApply(t *testing.T) {
	apps, jail := buildApps(t)
	for _, l := range []layout{portableLayout, appLayout} {
		t.Run(string(l.kind), func(t *testing.T) {
			key := newKey(t)
			s := newServer(t)
			s.publish(t, key, "1.1.0", l, packArchive(t, l, files(t, filepath.Join(apps, "app-1.1.0-ok"), "1.1.0", 1000)))
			dir := filepath.Join(t.TempDir(), l.top)
			exe := install(t, dir, l, files(t, filepath.Join(apps, "app-1.0.0"), "1.0.0", 1000))
			out, code := run(t, jail, exe, "update", s.URL+"/update-stable.json", key.public(), t.TempDir(), string(l.kind))
			if code != 0 || !strings.Contains(out, "healthy 1.1.0") || !strings.Contains(out, "updated to 1.1.0") {
				t.Fatalf("update: exit %d\n%s", code, out)
			}
			if out, _ := run(t, jail, exe, "version"); out != "1.1.0 1.1.0\n" {
				t.Errorf("after the update the app says %q", out)
			}
			leftovers(t, dir, l)
			if out, code := run(t, jail, exe, "update", s.URL+"/update-stable.json", key.public(), t.TempDir(), string(l.kind)); code != 0 || out != "up to date\n" {
				t.Errorf("a second update: exit %d, %q", code, out)
			}
		})
	}
}

// leftovers fails when an update left its staging, backup or journal.
func leftovers(t *testing.T, dir string, l layout) {
	t.Helper()
	work := filepath.Join(dir, ".update")
	if l.kind == App {
		work = filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".update")
	}
	for _, name := range []string{"journal.json", "new", "old"} {
		if _, err := os.Stat(filepath.Join(work, name)); err == nil {
			t.Errorf("the update left %s", filepath.Join(work, name))
		}
	}
}

// TestRollback: a new version that exits at start, or hangs (ignoring the
// terminate), is stopped within the probation, the old version is put
// back and goes on, and the same version is not offered again.
func TestRollback(t *testing.T) {
	apps, jail := buildApps(t)
	for _, l := range []layout{portableLayout, appLayout} {
		for _, behavior := range []string{"exit", "hang"} {
			t.Run(string(l.kind)+"/"+behavior, func(t *testing.T) {
				key := newKey(t)
				s := newServer(t)
				s.publish(t, key, "1.1.0", l, packArchive(t, l, files(t, filepath.Join(apps, "app-1.1.0-"+behavior), "1.1.0", 1000)))
				dir := filepath.Join(t.TempDir(), l.top)
				exe := install(t, dir, l, files(t, filepath.Join(apps, "app-1.0.0"), "1.0.0", 1000))
				state := t.TempDir()
				start := time.Now()
				out, code := run(t, jail, exe, "update", s.URL+"/update-stable.json", key.public(), state, string(l.kind))
				if code != 1 || !strings.Contains(out, "rolled back") || !strings.Contains(out, "1.0.0 is back") {
					t.Fatalf("update: exit %d\n%s", code, out)
				}
				// Probation 3 s, grace 0.5 s, and the time to start.
				if took := time.Since(start); took > 25*time.Second { // a bound, not a speed: far past it the probation did not end the run
					t.Errorf("the rollback took %s", took)
				}
				if out, _ := run(t, jail, exe, "version"); out != "1.0.0 1.0.0\n" {
					t.Errorf("after the rollback the app says %q", out)
				}
				leftovers(t, dir, l)
				if out, code := run(t, jail, exe, "update", s.URL+"/update-stable.json", key.public(), state, string(l.kind)); code != 0 || out != "up to date\n" {
					t.Errorf("the rolled-back version offered again: exit %d, %q", code, out)
				}
			})
		}
	}
}

// TestKillDuringApply kills the updating app with SIGKILL at 20 random
// points of Apply, 10 for each layout (a blob makes it take a while), and
// then starts the app:
// it starts every time, as 1.0.0 or 1.1.0 whole (its files agree), and a
// second start agrees with the first.
func TestKillDuringApply(t *testing.T) {
	apps, jail := buildApps(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BUNDLE_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (BUNDLE_KILL_SEED)", seed)
	rng := rand.New(rand.NewSource(int64(seed)))
	key := newKey(t)
	s := newServer(t)
	for _, l := range []layout{portableLayout, appLayout} {
		const blob = 32 << 20
		s.publish(t, key, "1.1.0", l, packArchive(t, l, files(t, filepath.Join(apps, "app-1.1.0-ok"), "1.1.0", blob)))
		old := files(t, filepath.Join(apps, "app-1.0.0"), "1.0.0", blob)
		// How long an apply takes here, from "applying" to "applied".
		span := applySpan(t, jail, s, key, l, old)
		t.Logf("%s: an apply takes %s", l.kind, span)
		versions := map[string]int{}
		for i := 0; i < 10; i++ {
			dir := filepath.Join(t.TempDir(), l.top)
			exe := install(t, dir, l, old)
			// Half over the whole apply, half over its last quarter, where
			// the renames are (unpacking takes most of the time).
			delay := time.Duration(rng.Int63n(int64(span) + 1))
			if i%2 == 1 {
				delay = span*3/4 + time.Duration(rng.Int63n(int64(span/4)+1))
			}
			killAfterApplying(t, jail, exe, delay, s.URL+"/update-stable.json", key.public(), t.TempDir(), string(l.kind))
			first, code := run(t, jail, exe, "version")
			second, _ := run(t, jail, exe, "version")
			if code != 0 || (first != "1.0.0 1.0.0\n" && first != "1.1.0 1.1.0\n") || second != first {
				t.Fatalf("run %d, killed %s into the apply: the app then says %q (exit %d), then %q", i, delay, first, code, second)
			}
			versions[strings.Fields(first)[0]]++
		}
		t.Logf("%s: after 10 kills, started as %v", l.kind, versions)
	}
}

// applySpan runs one whole update and measures its apply.
func applySpan(t *testing.T, jail string, s *server, key testKey, l layout, old map[string][]byte) time.Duration {
	t.Helper()
	exe := install(t, filepath.Join(t.TempDir(), l.top), l, old)
	cmd := exec.Command(jail, "--", exe, "update", s.URL+"/update-stable.json", key.public(), t.TempDir(), string(l.kind))
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var start time.Time
	var span time.Duration
	for sc.Scan() {
		switch {
		case strings.HasPrefix(sc.Text(), "applying"):
			start = time.Now()
		case sc.Text() == "applied":
			span = time.Since(start)
		}
	}
	cmd.Wait()
	if span == 0 {
		t.Fatal("the update never applied")
	}
	return span
}

// killAfterApplying starts an update and kills the app delay after it
// says it is applying.
func killAfterApplying(t *testing.T, jail, exe string, delay time.Duration, args ...string) {
	t.Helper()
	cmd := exec.Command(jail, append([]string{"--", exe, "update"}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "applying" {
			pid, _ := strconv.Atoi(f[1])
			time.Sleep(delay)
			syscall.Kill(pid, syscall.SIGKILL)
			break
		}
	}
	io.Copy(io.Discard, stdout)
}

// TestApplyWine updates the Windows build of the app under Wine: the
// running app.exe is replaced, the new version starts and reports healthy,
// and one that exits at start is rolled back.
func TestApplyWine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Windows builds under Wine")
	}
	w := winetest.Require(t)
	apps, jail := buildApps(t)
	if err := w.Wait(); err != nil {
		t.Fatal(err)
	}
	l := windowsLayout
	for _, c := range []struct{ build, want string }{{"app-1.1.0-ok.exe", "1.1.0 1.1.0"}, {"app-1.1.0-exit.exe", "1.0.0 1.0.0"}} {
		t.Run(c.build, func(t *testing.T) {
			key := newKey(t)
			s := newServer(t)
			s.publish(t, key, "1.1.0", l, packArchive(t, l, files(t, filepath.Join(apps, c.build), "1.1.0", 1000)))
			dir := filepath.Join(t.TempDir(), l.top)
			exe := install(t, dir, l, files(t, filepath.Join(apps, "app-1.0.0.exe"), "1.0.0", 1000))
			wine := func(args ...string) (string, int) {
				cmd := exec.Command(jail, append([]string{"-tasks", "256", "-timeout", "120s", "--", "wine", winetest.Path(exe)}, args...)...)
				cmd.Env = w.Env
				out, err := cmd.CombinedOutput()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				return strings.ReplaceAll(string(out), "\r\n", "\n"), code
			}
			out, code := wine("update", s.URL+"/update-stable.json", key.public(), winetest.Path(t.TempDir()), string(l.kind))
			t.Logf("update: exit %d\n%s", code, out)
			if out, _ := wine("version"); strings.TrimSpace(out) != c.want {
				t.Errorf("after the update the app says %q, want %q", out, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, ".update", "journal.json")); err == nil {
				t.Error("the update left its journal")
			}
		})
	}
}

// TestProbationWithoutWatcher: an update applied and not restarted (its
// watcher gone) puts the new version on probation at its starts: three
// starts without Healthy run it, the fourth puts the previous version
// back before main and runs that instead; a start that calls Healthy ends
// the probation for good.
func TestProbationWithoutWatcher(t *testing.T) {
	apps, jail := buildApps(t)
	key := newKey(t)
	s := newServer(t)
	l := portableLayout
	s.publish(t, key, "1.1.0", l, packArchive(t, l, files(t, filepath.Join(apps, "app-1.1.0-ok"), "1.1.0", 1000)))
	apply := func(dir string) string {
		exe := install(t, dir, l, files(t, filepath.Join(apps, "app-1.0.0"), "1.0.0", 1000))
		if out, code := run(t, jail, exe, "apply", s.URL+"/update-stable.json", key.public(), t.TempDir(), string(l.kind)); code != 0 {
			t.Fatalf("apply: exit %d\n%s", code, out)
		}
		return exe
	}
	exe := apply(filepath.Join(t.TempDir(), l.top))
	for i := 1; i <= maxAttempts; i++ {
		if out, _ := run(t, jail, exe, "version"); out != "1.1.0 1.1.0\n" {
			t.Fatalf("start %d on probation: %q", i, out)
		}
	}
	if out, _ := run(t, jail, exe, "version"); out != "1.0.0 1.0.0\n" {
		t.Fatalf("start %d, past the probation: %q", maxAttempts+1, out)
	}
	leftovers(t, filepath.Dir(exe), l)

	exe = apply(filepath.Join(t.TempDir(), l.top))
	if out, _ := run(t, jail, exe, "serve"); out != "healthy 1.1.0\n" {
		t.Fatalf("a start that reports healthy: %q", out)
	}
	for i := 0; i <= maxAttempts; i++ {
		if out, _ := run(t, jail, exe, "version"); out != "1.1.0 1.1.0\n" {
			t.Fatalf("start %d after Healthy: %q", i, out)
		}
	}
	leftovers(t, filepath.Dir(exe), l)
}
