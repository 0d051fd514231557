package macos_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/macsign"
	"github.com/bundlekit/bundle/bundler/internal/notary"
	"github.com/bundlekit/bundle/bundler/internal/notarytest"
	"github.com/bundlekit/bundle/bundler/internal/pipeline"
	"github.com/bundlekit/bundle/bundler/internal/platform/macos"
	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testtool"
)

const (
	p12Password = "open sesame, but longer"
	issuer      = "69a6de70-03db-47e3-e053-5b8c7c11a4d1"
	keyID       = "TESTKEY123"
)

// notarizedProject is examples/hello signed with a test Developer ID chain
// and notarized with a test API key, making the universal app, dmg and
// tar.gz.
func notarizedProject(t *testing.T, notarize bool) (dir string, srv *notarytest.Server, chain testcert.Chain) {
	t.Helper()
	testtool.Need(t, "openssl", "openssl")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv = notarytest.New(t, issuer, keyID, &key.PublicKey)
	dir = filepath.Join(t.TempDir(), "hello")
	// Tests run in their package's folder (a path from runtime.Caller
	// would not survive -trimpath).
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "..", "..", "examples", "hello"))); err != nil {
		t.Fatal(err)
	}
	chain, err = testcert.WriteChain(t.TempDir(), p12Password, testcert.ChainOptions{DeveloperID: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	p12, _ := os.ReadFile(chain.P12)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	files := map[string][]byte{
		"keys/developer-id.p12":      p12,
		"keys/AuthKey_TESTKEY123.p8": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	text := strings.Replace(string(cfg), "darwin: [tar.gz]", "darwin: [app, dmg, tar.gz]", 1)
	text = strings.Replace(text, "universal: false", "universal: true", 1)
	text += "sign:\n  macos:\n    p12_file: keys/developer-id.p12\n    password_env: TEST_P12_PASSWORD\n"
	if notarize {
		// Apple's time-stamping server is not reachable from a test.
		text += "    timestamp_url: " + srv.URL + "/timestamp\n"
		text += "notarize:\n  macos:\n    issuer_id: " + issuer + "\n    key_id: " + keyID + "\n    key_file: keys/AuthKey_TESTKEY123.p8\n"
	}
	files["bundle.yaml"] = []byte(text)
	for rel, data := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TEST_P12_PASSWORD", p12Password)
	for _, env := range []string{"APPLE_NOTARY_ISSUER_ID", "APPLE_NOTARY_KEY_ID", "APPLE_NOTARY_KEY"} {
		t.Setenv(env, "")
		os.Unsetenv(env)
	}
	return dir, srv, chain
}

type events struct {
	sync.Mutex
	list []pipeline.Event
}

func (e *events) add(ev pipeline.Event) {
	e.Lock()
	defer e.Unlock()
	e.list = append(e.list, ev)
}

func (e *events) messages(kind pipeline.EventKind) []string {
	e.Lock()
	defer e.Unlock()
	var out []string
	for _, ev := range e.list {
		if ev.Kind == kind {
			out = append(out, ev.Message)
		}
	}
	return out
}

func run(t *testing.T, dir string, service *notary.Service, skip ...string) (*pipeline.Result, *events, string, error) {
	t.Helper()
	dist := filepath.Join(t.TempDir(), "dist")
	ev := &events{}
	res, err := pipeline.Run(context.Background(), pipeline.Options{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: dist, SourceDateEpoch: "1767225600",
		Targets: []string{"darwin/amd64", "darwin/arm64"}, Notary: service, Skip: skip, OnEvent: ev.add,
	})
	return res, ev, dist, err
}

// TestNotarized: the app and the bare executable go to the notary service
// in one zip, the app is stapled before the app zip and the dmg are made
// from it, and the signed dmg is notarized and stapled too; the
// independent verifier accepts both.
func TestNotarized(t *testing.T) {
	testtool.Need(t, "xorriso python3", "xorriso", "python3")
	dir, srv, chain := notarizedProject(t, true)
	srv.Polls = 2
	srv.Inspect = requireTimestamps
	res, ev, dist, err := run(t, dir, srv.Service())
	if err != nil {
		t.Fatal(err)
	}
	subs := srv.Submissions()
	if len(subs) != 2 || subs[0].Name != "notarize.zip" || !strings.HasSuffix(subs[1].Name, ".dmg") {
		t.Fatalf("submissions: %v", names(subs))
	}
	// The first submission holds the app and the bare executable.
	zr, err := zip.NewReader(bytes.NewReader(subs[0].Uploaded), int64(len(subs[0].Uploaded)))
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, f := range zr.File {
		entries = append(entries, f.Name)
	}
	for _, want := range []string{"Hello.app/Contents/MacOS/hello", "Hello.app/Contents/_CodeSignature/CodeResources", "hello"} {
		if !strings.Contains("\n"+strings.Join(entries, "\n")+"\n", "\n"+want+"\n") {
			t.Errorf("submission lacks %s: %v", want, entries)
		}
	}
	if got := ev.messages(pipeline.Notarizing); len(got) < 4 || !strings.Contains(strings.Join(got, "\n"), "notarize.zip: In Progress") ||
		!strings.Contains(strings.Join(got, "\n"), "notarize.zip: Accepted") {
		t.Errorf("progress lines: %q", got)
	}

	verifier := filepath.Join("..", "..", "macsign", "testdata", "verify_codesign.py")
	for _, a := range res.Manifest.Artifacts {
		path := filepath.Join(dist, a.Path)
		switch a.Format {
		case "app":
			x := t.TempDir()
			if out, err := exec.Command("unzip", "-q", path, "-d", x).CombinedOutput(); err != nil {
				t.Fatalf("unzip: %v %s", err, out)
			}
			app := filepath.Join(x, "Hello.app")
			hash, err := macsign.AppCodeDirectoryHash(app)
			if err != nil {
				t.Fatal(err)
			}
			ticket, _ := os.ReadFile(filepath.Join(app, "Contents", "CodeResources"))
			if want := notarytest.TicketFor("2/2/" + hex.EncodeToString(hash[:20])); !bytes.Equal(ticket, want) {
				t.Errorf("the app's stapled ticket is %q, want %q", ticket, want)
			}
			verify(t, verifier, chain.RootCA, app, `"stapled": true`)
		case "dmg":
			data, _ := os.ReadFile(path)
			hash, err := macsign.DMGCodeDirectoryHash(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := notarytest.TicketFor("2/2/" + hex.EncodeToString(hash[:20])); !bytes.Contains(data, want) {
				t.Error("the dmg does not hold its ticket")
			}
			verify(t, verifier, chain.RootCA, path, `"stapled": true`)
			// The signature sits between the plist and the trailer, where
			// readers of the image do not look.
			testtool.Need(t, "7zip", "7zz")
			if out, err := exec.Command("7zz", "t", path).CombinedOutput(); err != nil || !strings.Contains(string(out), "Everything is Ok") {
				t.Errorf("7zz t of the signed dmg: %v\n%s", err, out)
			}
		}
	}
}

// requireTimestamps rejects, as Apple does, code whose signature has no
// secure timestamp or no hardened runtime, in a zip or a disk image.
func requireTimestamps(name string, data []byte) []string {
	var issues []string
	if strings.HasSuffix(name, ".dmg") {
		f, err := os.CreateTemp("", "upload-*.dmg")
		if err != nil {
			return []string{err.Error()}
		}
		defer os.Remove(f.Name())
		f.Write(data)
		f.Close()
		if _, err := macsign.DMGCodeDirectoryHash(f.Name()); err != nil {
			issues = append(issues, err.Error())
		}
		return issues
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return []string{"not a zip: " + err.Error()}
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return []string{err.Error()}
		}
		content, _ := io.ReadAll(rc)
		rc.Close()
		info, err := macsign.Read(content)
		switch {
		case err != nil && strings.Contains(err.Error(), "not a Mach-O"):
			continue
		case err != nil:
			issues = append(issues, f.Name+": "+err.Error())
		case info.Timestamp == "":
			issues = append(issues, f.Name+": The signature does not include a secure timestamp.")
		case !slices.Contains(info.Flags, "runtime"):
			issues = append(issues, f.Name+": The executable does not have the hardened runtime enabled.")
		}
	}
	return issues
}

func names(subs []notarytest.Submission) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.Name)
	}
	return out
}

func verify(t *testing.T, verifier, ca, path, want string) {
	t.Helper()
	out, err := exec.Command("python3", verifier, "--ca", ca, path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), want) {
		t.Errorf("verify %s: %v\n%s", filepath.Base(path), err, out)
	}
}

// TestNotarizeRejected: Apple's verdict stops the build with the log's
// issues as warnings, and no macOS artifact reaches dist.
func TestNotarizeRejected(t *testing.T) {
	dir, srv, _ := notarizedProject(t, true)
	srv.Verdict = notary.Invalid
	_, ev, dist, err := run(t, dir, srv.Service())
	if err == nil || !strings.Contains(err.Error(), "answered Invalid") {
		t.Fatalf("err = %v", err)
	}
	if w := ev.messages(pipeline.Warned); len(w) != 1 || !strings.Contains(w[0], "Hello.app/Contents/MacOS/hello (x86_64): The signature does not include a secure timestamp.") {
		t.Errorf("warnings: %q", w)
	}
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		if strings.Contains(e.Name(), "darwin") {
			t.Errorf("%s reached dist after the rejection", e.Name())
		}
	}
}

// TestNotarizeSkipped: without an API key, or with --skip notarize, the
// build signs, says in one line that it does not notarize, and submits
// nothing.
func TestNotarizeSkipped(t *testing.T) {
	testtool.Need(t, "xorriso", "xorriso")
	for _, tc := range []struct {
		name      string
		notarize  bool
		skip      []string
		wantNoted string
	}{
		{"no key", false, nil, "macOS code is signed, not notarized: no App Store Connect API key (set notarize.macos, or $APPLE_NOTARY_ISSUER_ID, $APPLE_NOTARY_KEY_ID and $APPLE_NOTARY_KEY)"},
		{"--skip notarize", true, []string{macos.SkipNotarize}, "macOS code is signed, not notarized: --skip notarize"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, srv, _ := notarizedProject(t, tc.notarize)
			res, ev, _, err := run(t, dir, srv.Service(), tc.skip...)
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.messages(pipeline.Noted); len(got) != 1 || got[0] != tc.wantNoted {
				t.Errorf("notes: %q", got)
			}
			if len(srv.Submissions()) != 0 || len(res.Manifest.Artifacts) < 3 {
				t.Errorf("%d submissions, %d artifacts", len(srv.Submissions()), len(res.Manifest.Artifacts))
			}
		})
	}
}
