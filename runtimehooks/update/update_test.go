package update

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKey is a minisign key pair made in the test.
type testKey struct {
	id   uint64
	priv ed25519.PrivateKey
}

func newKey(t *testing.T) testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var id [8]byte
	rand.Read(id[:])
	return testKey{binary.LittleEndian.Uint64(id[:]), priv}
}

// public is the key's line as update.public_keys holds it.
func (k testKey) public() string {
	b := append([]byte("Ed"), binary.LittleEndian.AppendUint64(nil, k.id)...)
	return base64.StdEncoding.EncodeToString(append(b, k.priv.Public().(ed25519.PublicKey)...))
}

// sign writes a minisign signature file of data (legacy Ed, as bundle and
// minisign -S -l sign).
func (k testKey) sign(data []byte) []byte {
	sig := ed25519.Sign(k.priv, data)
	raw := append([]byte("Ed"), binary.LittleEndian.AppendUint64(nil, k.id)...)
	raw = append(raw, sig...)
	trusted := "timestamp:1\tfile:update-stable.json"
	global := ed25519.Sign(k.priv, append(append([]byte{}, sig...), trusted...))
	return []byte("untrusted comment: test\n" + base64.StdEncoding.EncodeToString(raw) + "\ntrusted comment: " + trusted + "\n" + base64.StdEncoding.EncodeToString(global) + "\n")
}

// server serves files from a map on 127.0.0.1, with Range requests (as
// release hosts do) and, when cut is set for a path, a connection closed
// half-way through the body.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	cut   map[string]bool
	gets  map[string]int
}

func newServer(t *testing.T) *server {
	s := &server{files: map[string][]byte{}, cut: map[string]bool{}, gets: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		data, ok := s.files[r.URL.Path]
		cut := s.cut[r.URL.Path]
		s.gets[r.URL.Path]++
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		if cut && r.Header.Get("Range") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Write(data[:len(data)/2])
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader(string(data)))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) put(path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = data
}

var released = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// release is a release of version v on the server: its payload and a feed
// listing it for linux/amd64, signed by key.
func (s *server) release(t *testing.T, key testKey, v string, at time.Time, edit func(*Feed)) {
	t.Helper()
	payload := []byte(strings.Repeat("payload of "+v+"\n", 5000))
	sum := sha256.Sum256(payload)
	name := "app_" + v + "_linux_amd64.tar.gz"
	s.put("/dl/"+name, payload)
	f := &Feed{
		Format: FeedFormat, App: "App", Channel: "stable", Version: v, Released: at, Expires: at.AddDate(0, 0, 30), Rollout: 100,
		Files: []File{{OS: "linux", Arch: "amd64", Kind: Portable, Format: "tar.gz", Name: name, URL: s.URL + "/dl/" + name, Size: int64(len(payload)), SHA256: hex.EncodeToString(sum[:])}},
	}
	if edit != nil {
		edit(f)
	}
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s.put("/update-stable.json", data)
	s.put("/update-stable.json.minisig", key.sign(data))
}

func (s *server) updater(t *testing.T, state string, running string, keys ...testKey) *Updater {
	t.Helper()
	var pubs []string
	for _, k := range keys {
		pubs = append(pubs, k.public())
	}
	u, err := New(Config{
		FeedURL: s.URL + "/update-stable.json", PublicKeys: pubs, App: "App", Version: running, Channel: "stable", Kind: Portable,
		StateDir: state, OS: "linux", Arch: "amd64", Now: func() time.Time { return released.AddDate(0, 0, 1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCheckAndDownload(t *testing.T) {
	s := newServer(t)
	key := newKey(t)
	s.release(t, key, "1.3.0", released, nil)
	state := t.TempDir()
	u := s.updater(t, state, "1.2.0", key)
	a, err := u.Check(context.Background())
	if err != nil || a == nil || a.Version() != "1.3.0" {
		t.Fatalf("Check: %v, %v", a, err)
	}
	var calls int
	path, err := u.Download(context.Background(), a, func(done, total int64) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if sum, size, _ := hashFile(path); sum != a.File.SHA256 || size != a.File.Size || calls == 0 {
		t.Errorf("downloaded %s (%d bytes, %d progress calls)", sum, size, calls)
	}
	if a, err := s.updater(t, state, "1.3.0", key).Check(context.Background()); a != nil || err != nil {
		t.Errorf("the running version is offered again: %v, %v", a, err)
	}
}

// TestRefusals: each way a feed or file can be wrong is refused with one
// line, and leaves nothing of it behind: no download, and the state file
// as it was.
func TestRefusals(t *testing.T) {
	key, other, next := newKey(t), newKey(t), newKey(t)
	cases := []struct {
		name    string
		serve   func(t *testing.T, s *server)
		trust   []testKey
		running string
		want    error
		text    string
	}{
		{"tampered feed", func(t *testing.T, s *server) {
			s.release(t, key, "1.3.0", released, nil)
			s.mu.Lock()
			s.files["/update-stable.json"] = []byte(strings.Replace(string(s.files["/update-stable.json"]), `"rollout": 100`, `"rollout": 99 `, 1))
			s.mu.Unlock()
		}, []testKey{key}, "1.2.0", ErrBadSignature, "signature does not match"},
		{"unknown key", func(t *testing.T, s *server) { s.release(t, other, "1.3.0", released, nil) }, []testKey{key}, "1.2.0", ErrSignature, "which this app does not trust"},
		{"rotated-out key", func(t *testing.T, s *server) { s.release(t, key, "1.3.0", released, nil) }, []testKey{next}, "1.2.0", ErrSignature, "which this app does not trust"},
		{"expired", func(t *testing.T, s *server) {
			s.release(t, key, "1.3.0", released.AddDate(0, 0, -40), nil)
		}, []testKey{key}, "1.2.0", ErrExpired, "expired on"},
		{"downgrade", func(t *testing.T, s *server) { s.release(t, key, "1.1.0", released, nil) }, []testKey{key}, "1.2.0", ErrDowngrade, "older than the running 1.2.0"},
		{"another arch", func(t *testing.T, s *server) {
			s.release(t, key, "1.3.0", released, func(f *Feed) { f.Files[0].Arch = "arm64" })
		}, []testKey{key}, "1.2.0", ErrNoFile, "no portable file for linux/amd64"},
		{"plain http", func(t *testing.T, s *server) {
			s.release(t, key, "1.3.0", released, func(f *Feed) { f.Files[0].URL = "http://example.com/app.tar.gz" })
		}, []testKey{key}, "1.2.0", ErrInsecure, "is not https"},
		{"released in the future", func(t *testing.T, s *server) {
			s.release(t, key, "1.3.0", released.AddDate(0, 0, 3), nil)
		}, []testKey{key}, "1.2.0", ErrFuture, "in the future"},
		{"another app's feed", func(t *testing.T, s *server) {
			s.release(t, key, "1.3.0", released, func(f *Feed) { f.App = "Other" })
		}, []testKey{key}, "1.2.0", ErrOtherFeed, `it is "Other"'s, this is "App"`},
		{"another channel", func(t *testing.T, s *server) {
			s.release(t, key, "1.3.0", released, func(f *Feed) { f.Channel = "beta" })
		}, []testKey{key}, "1.2.0", ErrOtherFeed, `channel "beta"`},
		{"installed by a package manager", func(t *testing.T, s *server) {
			s.release(t, key, "1.3.0", released, func(f *Feed) { f.Files = append(f.Files, f.Files[0]); f.Files[0].Kind = Deb })
		}, []testKey{key}, "1.2.0", ErrManaged, "installed by its deb package; update it with apt"},
		{"too old", func(t *testing.T, s *server) {
			s.release(t, key, "1.3.0", released, func(f *Feed) { f.MinVersion = "1.2.5" })
		}, []testKey{key}, "1.2.0", ErrTooOld, "needs 1.2.5 or later"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newServer(t)
			c.serve(t, s)
			state := t.TempDir()
			before := listTree(t, state)
			u := s.updater(t, state, c.running, c.trust...)
			if errors.Is(c.want, ErrManaged) {
				u.c.Kind = Deb
			}
			_, err := u.Check(context.Background())
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.text) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want %v with %q on one line", err, c.want, c.text)
			}
			if after := listTree(t, state); after != before {
				t.Errorf("the state folder changed:\n%s\n%s", before, after)
			}
		})
	}
}

// TestRotation: an app that trusts the old and the new key takes feeds
// signed by either, so a key can be rotated without stranding installs.
func TestRotation(t *testing.T) {
	old, next := newKey(t), newKey(t)
	for _, signer := range []testKey{old, next} {
		s := newServer(t)
		s.release(t, signer, "1.3.0", released, nil)
		if a, err := s.updater(t, t.TempDir(), "1.2.0", old, next).Check(context.Background()); err != nil || a == nil {
			t.Errorf("Check: %v, %v", a, err)
		}
	}
}

// TestReplay: once a feed was seen, an older one, though validly signed,
// is refused. A newer feed may offer a lower version than one seen before
// (a bad release pulled back during its phased rollout): it is offered to
// installs below it.
func TestReplay(t *testing.T) {
	key := newKey(t)
	s := newServer(t)
	state := t.TempDir()
	s.release(t, key, "1.4.0", released, func(f *Feed) { f.Rollout = 1 })
	u := s.updater(t, state, "1.2.0", key)
	if _, err := u.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.release(t, key, "1.3.0", released.Add(-time.Hour), nil)
	if _, err := u.Check(context.Background()); !errors.Is(err, ErrReplay) {
		t.Errorf("an older feed: %v", err)
	}
	s.release(t, key, "1.3.1", released.Add(time.Hour), nil)
	if a, err := u.Check(context.Background()); err != nil || a == nil || a.Version() != "1.3.1" {
		t.Errorf("a newer feed pulling 1.4.0 back to 1.3.1: %v, %v", a, err)
	}
}

// TestChannelsKeepTheirOwnState: a feed seen on beta does not make the
// stable channel's older feed a replay.
func TestChannelsKeepTheirOwnState(t *testing.T) {
	key := newKey(t)
	s := newServer(t)
	state := t.TempDir()
	s.release(t, key, "1.4.0-rc.1", released.Add(time.Hour), func(f *Feed) { f.Channel = "beta" })
	beta := s.updater(t, state, "1.2.0", key)
	beta.c.Channel = "beta"
	if _, err := beta.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.release(t, key, "1.3.0", released, nil)
	if a, err := s.updater(t, state, "1.2.0", key).Check(context.Background()); err != nil || a == nil {
		t.Errorf("stable after beta: %v, %v", a, err)
	}
}

// TestRedirectToPlainHTTP: an https URL cannot lead to plain http by a
// redirect; here the loopback server redirects to http on another host.
func TestRedirectToPlainHTTP(t *testing.T) {
	key := newKey(t)
	s := newServer(t)
	s.release(t, key, "1.3.0", released, nil)
	redirect := httptest.NewServer(http.RedirectHandler("http://example.com/update-stable.json", http.StatusFound))
	t.Cleanup(redirect.Close)
	u := s.updater(t, t.TempDir(), "1.2.0", key)
	u.c.FeedURL = redirect.URL + "/update-stable.json"
	if _, err := u.Check(context.Background()); !errors.Is(err, ErrInsecure) {
		t.Errorf("a redirect to plain http: %v", err)
	}
}

// checked is a server offering 1.3.0 and what Check said of it to 1.2.0.
func checked(t *testing.T, key testKey) (*server, *Updater, *Available) {
	t.Helper()
	s := newServer(t)
	s.release(t, key, "1.3.0", released, nil)
	u := s.updater(t, t.TempDir(), "1.2.0", key)
	a, err := u.Check(context.Background())
	if err != nil || a == nil {
		t.Fatalf("Check: %v, %v", a, err)
	}
	return s, u, a
}

// TestDownloadRefusals: a file that differs from the feed, a truncated
// download (resumed by the next call), and a body longer than the feed says.
func TestDownloadRefusals(t *testing.T) {
	key := newKey(t)
	ctx := context.Background()
	t.Run("tampered file", func(t *testing.T) {
		s, u, a := checked(t, key)
		s.mu.Lock()
		s.files["/dl/"+a.File.Name][100] ^= 1
		s.mu.Unlock()
		if _, err := u.Download(ctx, a, nil); !errors.Is(err, ErrCorrupt) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("got %v", err)
		}
		if entries, _ := os.ReadDir(filepath.Join(u.c.StateDir, "downloads")); len(entries) != 0 {
			t.Errorf("a file that failed its check was kept: %v", entries)
		}
	})
	t.Run("truncated, then resumed", func(t *testing.T) {
		s, u, a := checked(t, key)
		s.mu.Lock()
		s.cut["/dl/"+a.File.Name] = true
		s.mu.Unlock()
		if _, err := u.Download(ctx, a, nil); err == nil || !strings.Contains(err.Error(), "resume") {
			t.Fatalf("a truncated download: %v", err)
		}
		if _, err := os.Stat(filepath.Join(u.c.StateDir, "downloads", a.File.Name)); err == nil {
			t.Error("a truncated download has the final name")
		}
		path, err := u.Download(ctx, a, nil)
		if err != nil {
			t.Fatalf("resuming: %v", err)
		}
		if sum, _, _ := hashFile(path); sum != a.File.SHA256 {
			t.Error("the resumed download differs")
		}
	})
	t.Run("longer than the feed says", func(t *testing.T) {
		s, u, a := checked(t, key)
		s.mu.Lock()
		s.files["/dl/"+a.File.Name] = append(s.files["/dl/"+a.File.Name], "more"...)
		s.mu.Unlock()
		if _, err := u.Download(ctx, a, nil); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestNewRefusesPlainHTTP(t *testing.T) {
	for _, url := range []string{"http://example.com/update-stable.json", "http://10.0.0.1/f.json", "ftp://example.com/f.json"} {
		if _, err := New(Config{FeedURL: url, PublicKeys: []string{newKey(t).public()}, Version: "1.0.0", StateDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "not https") {
			t.Errorf("%s: %v", url, err)
		}
	}
	for _, url := range []string{"http://127.0.0.1:8080/f.json", "http://localhost/f.json", "http://[::1]/f.json", "https://example.com/f.json"} {
		if _, err := New(Config{FeedURL: url, PublicKeys: []string{newKey(t).public()}, Version: "1.0.0", StateDir: t.TempDir()}); err != nil {
			t.Errorf("%s: %v", url, err)
		}
	}
}

// listTree lists the files under dir with their contents' hashes.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			sum := sha256.Sum256(data)
			b.WriteString(path + " " + hex.EncodeToString(sum[:]) + "\n")
		}
		return nil
	})
	return b.String()
}
