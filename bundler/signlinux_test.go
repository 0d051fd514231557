package bundler_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestLinuxPackagesSigned signs the deb and rpm with an OpenPGP key made in
// the test and checks the signatures with rpm and gpg; the passphrase never
// appears in what the build reports.
func TestLinuxPackagesSigned(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "gnupg rpm binutils", "gpg", "rpm", "ar")
	home := t.TempDir()
	const pass = "correct-horse-battery-staple"
	gpg := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("gpg", append([]string{"--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", pass}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			msg := ""
			if ee, ok := err.(*exec.ExitError); ok {
				msg = string(ee.Stderr)
			}
			t.Fatalf("gpg %v: %v\n%s", args, err, msg)
		}
		return string(out)
	}
	gpg("--quick-gen-key", "bundle test <test@example.com>", "rsa2048", "sign", "never")
	dir := testfs.CopyProject(t, "examples/hello")
	testfs.WriteFile(t, filepath.Join(dir, "keys", "signing.asc"), gpg("--armor", "--export-secret-keys"))
	pub := filepath.Join(t.TempDir(), "pub.asc")
	testfs.WriteFile(t, pub, gpg("--armor", "--export"))
	env := setSecret(t, pass)
	appendConfig(t, dir, "sign:\n  gpg:\n    key_file: keys/signing.asc\n    passphrase_env: "+env+"\n")

	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(),
		Targets: []string{"linux/amd64"}, Formats: []string{"deb", "rpm"},
	})

	if b.Err != nil {
		t.Fatal(b.Err)
	}
	if strings.Contains(b.Log(), pass) {
		t.Error("the passphrase appears in the build's events")
	}
	signed := map[string]bool{}
	for _, a := range b.Result.Manifest.Artifacts {
		p := filepath.Join(b.Dist, a.Path)
		switch a.Format {
		case "rpm":
			db := t.TempDir()
			testfs.MustRun(t, b.Dist, "rpm", "--dbpath", db, "--import", pub)
			out := testfs.MustRun(t, b.Dist, "rpm", "--dbpath", db, "-K", p)
			if !strings.Contains(out, "signatures OK") {
				t.Errorf("rpm -K: %s", out)
			}
		case "deb":
			x := t.TempDir()
			testfs.MustRun(t, x, "ar", "x", p)
			members, _ := filepath.Glob(filepath.Join(x, "*"))
			data := ""
			for _, name := range []string{"debian-binary", "control.tar.gz", "data.tar.gz"} {
				member, err := os.ReadFile(filepath.Join(x, name))
				if err != nil {
					t.Fatalf("deb members %v: %v", members, err)
				}
				data += string(member)
			}
			testfs.WriteFile(t, filepath.Join(x, "signed-data"), data)
			cmd := exec.Command("gpg", "--homedir", home, "--batch", "--verify", filepath.Join(x, "_gpgorigin"), filepath.Join(x, "signed-data"))
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Good signature") {
				t.Errorf("gpg --verify of the deb: %v\n%s", err, out)
			}
		default:
			continue
		}
		signed[a.Format] = true
	}
	if !signed["deb"] || !signed["rpm"] {
		t.Errorf("checked %v, want a deb and an rpm", signed)
	}

	// A wrong passphrase fails the build without repeating it, and leaves
	// no package behind.
	if err := os.Setenv(env, "wrong"); err != nil {
		t.Fatal(err)
	}
	bad := buildtest.Build(context.Background(), t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(),
		Targets: []string{"linux/amd64"}, Formats: []string{"rpm"},
	})

	if bad.Err == nil || strings.Contains(bad.Err.Error()+bad.Log(), "wrong") {
		t.Errorf("wrong passphrase: %v\n%s", bad.Err, bad.Log())
	}
	emptyDir(t, bad.Dist)
}

// TestAPKSigned signs an apk with an RSA key made in the test and checks
// the signature over the control segment the way apk does: RSA PKCS#1 v1.5
// over the SHA-1 of the control segment's gzip stream.
func TestAPKSigned(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	dir := testfs.CopyProject(t, "examples/hello")
	testfs.WriteFile(t, filepath.Join(dir, "keys", "apk.rsa"), string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	appendConfig(t, dir, "sign:\n  apk:\n    key_file: keys/apk.rsa\n    key_name: builds@example.com.rsa.pub\n")
	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(),
		Targets: []string{"linux/amd64"}, Formats: []string{"apk"},
	})

	if b.Err != nil {
		t.Fatal(b.Err)
	}
	if n := len(b.Result.Manifest.Artifacts); n != 1 {
		t.Fatalf("%d artifacts, want the apk", n)
	}
	data, err := os.ReadFile(filepath.Join(b.Dist, b.Result.Manifest.Artifacts[0].Path))
	if err != nil {
		t.Fatal(err)
	}
	// An apk is three gzip streams: signature, control, data.
	var segments [][]byte
	rest := bytes.NewReader(data)
	for rest.Len() > 0 {
		start := len(data) - rest.Len()
		zr, err := gzip.NewReader(rest) // a bytes.Reader is read exactly, without read-ahead
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			t.Fatal(err)
		}
		segments = append(segments, data[start:len(data)-rest.Len()])
	}
	if len(segments) != 3 {
		t.Fatalf("%d gzip segments, want signature, control and data", len(segments))
	}
	zr, _ := gzip.NewReader(bytes.NewReader(segments[0]))
	tr := tar.NewReader(zr)
	h, err := tr.Next()
	if err != nil || h.Name != ".SIGN.RSA.builds@example.com.rsa.pub" {
		t.Fatalf("signature entry %v, %v", h, err)
	}
	sig, _ := io.ReadAll(tr)
	digest := sha1.Sum(segments[1])
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA1, digest[:], sig); err != nil {
		t.Errorf("apk signature does not verify: %v", err)
	}
}
