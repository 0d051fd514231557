package linuxpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goreleaser/nfpm/v2"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
)

// nfpmsAPK is the apk nfpm writes for in, in memory.
func nfpmsAPK(t *testing.T, in packager.Input) []byte {
	t.Helper()
	in.WorkDir = t.TempDir()
	info, err := describe(in, APK)
	if err != nil {
		t.Fatal(err)
	}
	if err := nfpm.PrepareForPackager(info, APK.name); err != nil {
		t.Fatal(err)
	}
	p, err := nfpm.Get(APK.name)
	if err != nil {
		t.Fatal(err)
	}
	var whole bytes.Buffer
	if err := p.Package(info, &whole); err != nil {
		t.Fatal(err)
	}
	return whole.Bytes()
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAPKStreamedIsNfpms: the apk written with the files streamed is, byte
// for byte, the one nfpm writes in memory.
func TestAPKStreamedIsNfpms(t *testing.T) {
	random := make([]byte, 3<<20+5) // pgzip compresses 1 MiB blocks: several, and a part
	rng := rand.NewChaCha8([32]byte{1})
	_, _ = rng.Read(random)
	long := strings.Repeat("a-folder-with-a-long-name/", 12) // past ustar's 255 bytes: PAX paths, dirs too

	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, in *packager.Input)
		has   map[string]int64 // entries the apk must hold, by name, and their sizes
	}{
		// The app folder of debInput: /opt tree, /usr/bin symlink, an empty
		// file, an odd size, a name with $ and braces, a manual page,
		// desktop entry, AppStream metadata, license.
		{name: "app folder", setup: func(*testing.T, *packager.Input) {}, has: map[string]int64{
			".PKGINFO": -1, "usr/bin/hello": 0, "opt/hello/hello": 4101, "opt/hello/data/empty": 0, "opt/hello/data/sub/$weird {n}": 70_001,
		}},
		{name: "executable only", setup: func(t *testing.T, in *packager.Input) {
			in.AppDir = t.TempDir()
			writeFiles(t, in.AppDir, map[string][]byte{"hello": []byte("\x7fELF only")})
			in.Config.GUI = false
			in.Config.Files = nil
		}, has: map[string]int64{"usr/bin/hello": 9}},
		{name: "long and unicode names, a symlink in the app", setup: func(t *testing.T, in *packager.Input) {
			writeFiles(t, in.AppDir, map[string][]byte{
				long + "deep.txt":  []byte("deep\n"),
				"données/ünï.txt":  []byte("é"),
				"spaces in/a b.md": bytes.Repeat([]byte("z"), 511),
				"blocks/512":       bytes.Repeat([]byte("b"), 512),
				"blocks/empty-too": nil,
			})
			if err := os.Symlink("blocks/512", filepath.Join(in.AppDir, "link-to-512")); err != nil {
				t.Fatal(err)
			}
		}, has: map[string]int64{"opt/hello/" + long + "deep.txt": 5, "opt/hello/" + long: 0, "opt/hello/données/ünï.txt": 2, "opt/hello/link-to-512": 0 /* nfpm keeps the link */}},
		{name: "maintainer scripts", setup: func(t *testing.T, in *packager.Input) {
			writeFiles(t, in.Dir, map[string][]byte{
				"pkg/pre.sh":      []byte("#!/bin/sh\necho pre\n"),
				"pkg/post.sh":     []byte("#!/bin/sh\necho post\n"),
				"pkg/preun.sh":    []byte("#!/bin/sh\n"),
				"pkg/postun.sh":   []byte("#!/bin/sh\n" + strings.Repeat("# long\n", 200)),
				"pkg/unused.sh":   nil,
				"pkg/ignored.txt": nil,
			})
			in.Config.Linux.Scripts = config.Scripts{PreInstall: "pkg/pre.sh", PostInstall: "pkg/post.sh", PreRemove: "pkg/preun.sh", PostRemove: "pkg/postun.sh"}
		}, has: map[string]int64{".pre-install": 19, ".post-install": 20, ".pre-deinstall": 10, ".post-deinstall": 1410}},
		{name: "signed with sign.apk", setup: func(t *testing.T, in *packager.Input) {
			key, err := rsa.GenerateKey(cryptorand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			writeFiles(t, in.Dir, map[string][]byte{"keys/apk.rsa": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})})
			in.Config.Sign.APK = &config.APKKey{KeyFile: "keys/apk.rsa", KeyName: "builds@example.com"}
		}, has: map[string]int64{".SIGN.RSA.builds@example.com.rsa.pub": 256, ".PKGINFO": -1}},
		{name: "a few MB", setup: func(t *testing.T, in *packager.Input) {
			writeFiles(t, in.AppDir, map[string][]byte{
				"data/random.bin": random,
				"data/zeros.bin":  make([]byte, 2<<20),
			})
		}, has: map[string]int64{"opt/hello/data/random.bin": int64(len(random)), "opt/hello/data/zeros.bin": 2 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := debInput(t)
			tc.setup(t, &in)
			var streamed bytes.Buffer
			if err := packagertest.Into(context.Background(), t, APK, in, &streamed); err != nil {
				t.Fatal(err)
			}
			whole := nfpmsAPK(t, in)
			if !bytes.Equal(streamed.Bytes(), whole) {
				t.Fatalf("streamed apk (%d bytes) differs from nfpm's (%d bytes)", streamed.Len(), len(whole))
			}
			segments, err := splitGzip(streamed.Bytes())
			if want := 2 + btoi(in.Config.Sign.APK != nil); err != nil || len(segments) != want {
				t.Fatalf("%d gzip streams (%v), want %d", len(segments), err, want)
			}
			// apk reads the segments as one tar.
			zr, err := gzip.NewReader(bytes.NewReader(streamed.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			sizes := map[string]int64{}
			tr := tar.NewReader(zr)
			for {
				h, err := tr.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				sizes[strings.TrimSuffix(h.Name, "/")] = h.Size
			}
			for name, size := range tc.has {
				if got, ok := sizes[strings.TrimSuffix(name, "/")]; !ok || (size >= 0 && got != size) {
					t.Errorf("%s: %d bytes (present: %v), want %d", name, got, ok, size)
				}
			}
		})
	}
}

func TestAPKRefusesGarbage(t *testing.T) {
	if _, err := splitGzip([]byte("\x1f\x8b not gzip")); err == nil {
		t.Error("splitGzip: no error on garbage")
	}
	segments, err := splitGzip(nfpmsAPK(t, debInput(t)))
	if err != nil {
		t.Fatal(err)
	}
	// The data segment where the control segment belongs: its first entry
	// is not .PKGINFO.
	if _, err := fixPkgInfo(segments[1], 1, make([]byte, 32)); err == nil || !strings.Contains(err.Error(), ".PKGINFO") {
		t.Errorf("fixPkgInfo of the data segment: %v", err)
	}
}

// mutating is a context that runs change when its Err is called the third
// time: copyAPKFile checks it before every read, so that is between the
// pass that hashes a small file and the pass that copies it.
type mutating struct {
	context.Context
	calls  int
	change func()
}

func (m *mutating) Err() error {
	if m.calls++; m.calls == 3 {
		m.change()
	}
	return m.Context.Err()
}

// TestCopyAPKFileRefusesAFileThatChanges: the checksum in the header is
// the one of the bytes that follow it, or packaging fails.
func TestCopyAPKFileRefusesAFileThatChanges(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name   string
		change func(path string) error
		ctx    context.Context
		want   string
	}{
		{name: "unchanged", change: func(string) error { return nil }},
		{name: "grows", change: func(p string) error { return os.WriteFile(p, []byte("hello, world"), 0o644) }, want: "grew"},
		{name: "shrinks", change: func(p string) error { return os.WriteFile(p, []byte("he"), 0o644) }, want: "changed"},
		{name: "same size", change: func(p string) error { return os.WriteFile(p, []byte("HELLO"), 0o644) }, want: "changed"},
		{name: "interrupted", change: func(string) error { return nil }, ctx: cancelled, want: "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(src, []byte("hello"), 0o644); err != nil {
				t.Fatal(err)
			}
			parent := tc.ctx
			if parent == nil {
				parent = context.Background()
			}
			ctx := &mutating{Context: parent, change: func() {
				if err := tc.change(src); err != nil {
					t.Error(err)
				}
			}}
			h := &tar.Header{Name: "f", Typeflag: tar.TypeReg, Mode: 0o644, Format: tar.FormatPAX,
				PAXRecords: map[string]string{apkChecksum: "da39a3ee5e6b4b0d3255bfef95601890afd80709"}}
			var out bytes.Buffer
			n, err := copyAPKFile(ctx, tar.NewWriter(&out), h, src)
			if tc.want == "" {
				if err != nil || n != 5 || h.PAXRecords[apkChecksum] != "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d" {
					t.Fatalf("copyAPKFile: %d bytes, %s, %v", n, h.PAXRecords[apkChecksum], err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("copyAPKFile: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
