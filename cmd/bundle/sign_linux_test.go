package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinuxPackagesSigned signs the deb and rpm with an OpenPGP key made in
// the test and checks the signatures with rpm and gpg; the passphrase never
// appears in bundle's output.
func TestLinuxPackagesSigned(t *testing.T) {
	needTools(t, "gnupg rpm binutils", "gpg", "rpm", "ar")
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
