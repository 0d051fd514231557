package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
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

	"github.com/bundlekit/bundle/internal/testtool"
)

// TestLinuxPackagesSigned signs the deb and rpm with an OpenPGP key made in
// the test and checks the signatures with rpm and gpg; the passphrase never
// appears in bundle's output.
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
	dir := copyProject(t, "examples/hello")
	writeFile(t, filepath.Join(dir, "keys", "signing.asc"), gpg("--armor", "--export-secret-keys"))
	pub := filepath.Join(t.TempDir(), "pub.asc")
	writeFile(t, pub, gpg("--armor", "--export"))
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	writeFile(t, filepath.Join(dir, "bundle.yaml"), string(cfg)+"sign:\n  gpg:\n    key_file: keys/signing.asc\n    passphrase_env: TEST_GPG_PASSPHRASE\n")

	dist := t.TempDir()
	r := runBundle(t, dir, []string{epoch, "TEST_GPG_PASSPHRASE=" + pass}, "build", "--dist", dist, "--target", "linux/amd64", "--format", "deb,rpm")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, pass) {
		t.Error("the passphrase appears in bundle's output")
	}
	for _, a := range readManifest(t, dist).Artifacts {
		p := filepath.Join(dist, a.Path)
		switch a.Format {
		case "rpm":
			db := t.TempDir()
			mustRun(t, dist, "rpm", "--dbpath", db, "--import", pub)
			out := mustRun(t, dist, "rpm", "--dbpath", db, "-K", p)
			if !strings.Contains(out, "signatures OK") {
				t.Errorf("rpm -K: %s", out)
			}
		case "deb":
			x := t.TempDir()
			mustRun(t, x, "ar", "x", p)
			members, _ := filepath.Glob(filepath.Join(x, "*"))
			var signed []string
			for _, name := range []string{"debian-binary", "control.tar.gz", "data.tar.gz"} {
				signed = append(signed, filepath.Join(x, name))
			}
			data := ""
			for _, f := range signed {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatalf("deb members %v: %v", members, err)
				}
				data += string(b)
			}
			writeFile(t, filepath.Join(x, "signed-data"), data)
			cmd := exec.Command("gpg", "--homedir", home, "--batch", "--verify", filepath.Join(x, "_gpgorigin"), filepath.Join(x, "signed-data"))
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Good signature") {
				t.Errorf("gpg --verify of the deb: %v\n%s", err, out)
			}
		}
	}

	// A wrong passphrase is a clear error and leaves no package behind.
	bad := runBundle(t, dir, []string{epoch, "TEST_GPG_PASSPHRASE=wrong"}, "build", "--dist", t.TempDir(), "--target", "linux/amd64", "--format", "rpm")
	if bad.code == 0 || strings.Contains(bad.stderr, "wrong") {
		t.Errorf("wrong passphrase: exit %d\n%s", bad.code, bad.stderr)
	}
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
	dir := copyProject(t, "examples/hello")
	writeFile(t, filepath.Join(dir, "keys", "apk.rsa"), string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	writeFile(t, filepath.Join(dir, "bundle.yaml"), string(cfg)+"sign:\n  apk:\n    key_file: keys/apk.rsa\n    key_name: builds@example.com.rsa.pub\n")
	dist := t.TempDir()
	if r := runBundle(t, dir, []string{epoch}, "build", "--dist", dist, "--target", "linux/amd64", "--format", "apk"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dist, readManifest(t, dist).Artifacts[0].Path))
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
