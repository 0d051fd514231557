//go:build linux

package update

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/runtimehooks/update/delta"
	"github.com/bundlekit/bundle/runtimehooks/update/feed"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// deltaOf lays out by hand a delta from old to new (contents of an
// install, as files gives them): files that did not change are kept, the
// others stored whole. (Patches are bundle's; here the tree is tested.)
func deltaOf(t *testing.T, l layout, old, new map[string][]byte) []byte {
	t.Helper()
	m := delta.Manifest{Format: delta.Format}
	var parts [][]byte
	for suffix, data := range new {
		rel := l.exe + suffix
		mode := uint32(0o644)
		if suffix == "" {
			mode = 0o755
		}
		e := delta.Entry{Path: rel, Mode: mode, Size: int64(len(data)), SHA256: sha(data)}
		if prev, ok := old[suffix]; ok && bytes.Equal(prev, data) {
			e.Keep, e.Old = rel, sha(prev)
		} else {
			e.Data = path.Join("d", string(rune('a'+len(parts))))
			parts = append(parts, data)
		}
		m.Files = append(m.Files, e)
	}
	manifest, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: delta.ManifestName, Mode: 0o644, Size: int64(len(manifest))})
	tw.Write(manifest)
	for i, p := range parts {
		tw.WriteHeader(&tar.Header{Name: path.Join("d", string(rune('a'+i))), Mode: 0o644, Size: int64(len(p))})
		tw.Write(p)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// TestApplyDelta updates a portable folder and a .app bundle from 1.0.0 to
// 1.1.0 through a delta, with the archive not on the server, so only the
// delta can have made it; then an install whose kept file was changed
// since it was installed, which falls back to the archive.
func TestApplyDelta(t *testing.T) {
	apps, jail := buildApps(t)
	for _, l := range []layout{portableLayout, appLayout} {
		t.Run(string(l.kind), func(t *testing.T) {
			oldFiles := files(t, filepath.Join(apps, "app-1.0.0"), "1.0.0", 1000)
			newFiles := files(t, filepath.Join(apps, "app-1.1.0-ok"), "1.1.0", 1000)
			archive := packArchive(t, l, newFiles)
			key := newKey(t)
			s := newServer(t)
			s.publish(t, key, "1.1.0", l, archive)
			name := "app_1.1.0." + l.format
			if l.format == "app" {
				name = "app_1.1.0.app.zip"
			}
			d := deltaOf(t, l, oldFiles, newFiles)
			s.put("/dl/"+name+".from-1.0.0.delta", d)
			// The feed publish wrote, with the delta added, signed again.
			feedData := s.files["/update-stable.json"]
			f, err := ParseFeed(feedData)
			if err != nil {
				t.Fatal(err)
			}
			f.Files[0].Delta = &feed.Delta{From: "1.0.0", Name: name + ".from-1.0.0.delta", URL: s.URL + "/dl/" + name + ".from-1.0.0.delta", Size: int64(len(d)), SHA256: sha(d)}
			feedData, _ = f.Marshal()
			s.put("/update-stable.json", feedData)
			s.put("/update-stable.json.minisig", key.sign(feedData))

			// The archive is away: the delta alone must make 1.1.0.
			s.mu.Lock()
			delete(s.files, "/dl/"+name)
			s.mu.Unlock()
			dir := filepath.Join(t.TempDir(), l.top)
			exe := install(t, dir, l, oldFiles)
			out, code := run(t, jail, exe, "update", s.URL+"/update-stable.json", key.public(), t.TempDir(), string(l.kind))
			if code != 0 || !strings.Contains(out, "updated to 1.1.0") {
				t.Fatalf("update through the delta: exit %d\n%s", code, out)
			}
			if out, _ := run(t, jail, exe, "version"); out != "1.1.0 1.1.0\n" {
				t.Errorf("after the update the app says %q", out)
			}
			leftovers(t, dir, l)

			// A kept file changed since it was installed: the delta does
			// not fit, and the archive is downloaded instead.
			s.put("/dl/"+name, archive)
			dir = filepath.Join(t.TempDir(), l.top)
			exe = install(t, dir, l, oldFiles)
			if err := os.WriteFile(exe+"-blob", []byte("edited by the user"), 0o644); err != nil {
				t.Fatal(err)
			}
			out, code = run(t, jail, exe, "update", s.URL+"/update-stable.json", key.public(), t.TempDir(), string(l.kind))
			if code != 0 || !strings.Contains(out, "updated to 1.1.0") {
				t.Fatalf("update with a changed file: exit %d\n%s", code, out)
			}
			s.mu.Lock()
			gets := s.gets["/dl/"+name]
			s.mu.Unlock()
			if gets != 1 {
				t.Errorf("the archive was fetched %d times, want once, after the delta did not fit", gets)
			}
			if data, _ := os.ReadFile(exe + "-blob"); !bytes.Equal(data, newFiles["-blob"]) {
				t.Errorf("the changed file is %q after the update, want the new version's", data)
			}
		})
	}
}
