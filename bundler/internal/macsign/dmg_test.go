package macsign

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/udif"
)

// writeImage makes a small UDIF image of a made-up volume.
func writeImage(t *testing.T) string {
	vol := bytes.Repeat([]byte("volume sector..."), 4096) // 64 KiB, whole sectors
	var b bytes.Buffer
	if err := udif.Write(context.Background(), &b, bytes.NewReader(vol), int64(len(vol)), "disk image"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "Tiny.dmg")
	writeFile(t, p, b.Bytes())
	return p
}

func verifyDMG(t *testing.T, ca, path string) (map[string]any, error) {
	t.Helper()
	out, err := exec.Command("python3", "testdata/verify_codesign.py", "--ca", ca, path).CombinedOutput()
	if err != nil {
		return nil, &verifyError{strings.TrimSpace(string(out))}
	}
	var v struct {
		DMG map[string]any `json:"dmg"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return v.DMG, nil
}

type verifyError struct{ s string }

func (e *verifyError) Error() string { return e.s }

// TestSignedDMG signs a disk image, checks it with the independent
// verifier, staples a ticket without breaking the signature, and shows
// that a changed byte of the image, of its plist or of its trailer fails.
func TestSignedDMG(t *testing.T) {
	c := chain(t, true)
	path := writeImage(t)
	o := Options{Identity: identity(t, c), Identifier: "com.example.tiny", Time: time.Unix(1767225600, 0)}
	if err := SignDMG(context.Background(), path, o); err != nil {
		t.Fatal(err)
	}
	v, err := verifyDMG(t, c.RootCA, path)
	if err != nil {
		t.Fatal(err)
	}
	if v["identifier"] != "com.example.tiny" || v["stapled"] != false {
		t.Errorf("verified %v", v)
	}
	data, _ := os.ReadFile(path)
	hash, err := DMGCodeDirectoryHash(path)
	if err != nil || len(hash) != 32 {
		t.Fatal(hash, err)
	}
	if err := StapleDMG(path, []byte("s8ch ticket")); err != nil {
		t.Fatal(err)
	}
	if v, err := verifyDMG(t, c.RootCA, path); err != nil || v["stapled"] != true {
		t.Fatalf("after stapling: %v %v", v, err)
	}
	if again, _ := DMGCodeDirectoryHash(path); !bytes.Equal(again, hash) {
		t.Error("stapling changed the CodeDirectory")
	}
	// Signing again replaces the signature: same bytes as the first time.
	if err := SignDMG(context.Background(), path, o); err != nil {
		t.Fatal(err)
	}
	if resigned, _ := os.ReadFile(path); !bytes.Equal(resigned, data) {
		t.Error("re-signing an image does not give the same file")
	}

	for _, tc := range []struct {
		name string
		at   func(data []byte) int
		want string
	}{
		{"image data", func([]byte) int { return 100 }, "image hash differs"},
		{"plist", func(d []byte) int { return bytes.Index(d, []byte("<plist")) + 10 }, "image hash differs"},
		{"trailer", func(d []byte) int { return len(d) - 512 + 64 }, "special slot -6 hash differs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "Tiny.dmg")
			writeFile(t, p, data)
			flip(t, p, tc.at(data))
			if _, err := verifyDMG(t, c.RootCA, p); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("verify: %v, want %q", err, tc.want)
			}
		})
	}
}
