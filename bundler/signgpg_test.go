package bundler_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestLinuxPackagesSignedReproducible builds the deb and rpm signed with
// sign.gpg twice at one SOURCE_DATE_EPOCH: checksums.txt is the same.
func TestLinuxPackagesSignedReproducible(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "gnupg", "gpg", "gpgconf")
	const epoch = 1767225600 // 2026-01-01
	home := t.TempDir()
	// The agent otherwise hashes a passphrase for 100 ms of CPU, measured
	// when it starts: seconds on a busy machine.
	testfs.WriteFile(t, filepath.Join(home, "gpg-agent.conf"), "s2k-count 65536\n")
	t.Cleanup(func() { exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run() })
	const pass = "correct-horse-battery-staple"
	gpg := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("gpg", append([]string{"--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", pass}, args...)...).Output()
		if err != nil {
			t.Fatalf("gpg %v: %v", args, err)
		}
		return string(out)
	}
	// A key older than the packages, so that they carry its time.
	gpg("--faked-system-time", strconv.Itoa(epoch-86400)+"!", "--quick-gen-key", "bundle test <test@example.com>", "ed25519", "sign", "never")
	dir := testfs.CopyProject(t, "examples/hello")
	testfs.WriteFile(t, filepath.Join(dir, "keys", "signing.asc"), gpg("--armor", "--export-secret-keys"))
	appendConfig(t, dir, "sign:\n  gpg:\n    key_file: keys/signing.asc\n    passphrase_env: "+setSecret(t, pass)+"\n")

	checksums := func() string {
		t.Helper()
		b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
			Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(), SourceDateEpoch: strconv.Itoa(epoch),
			Targets: []string{"linux/amd64"}, Formats: []string{"deb", "rpm"},
		})
		if b.Err != nil {
			t.Fatal(b.Err)
		}
		data, err := os.ReadFile(filepath.Join(b.Dist, bundler.ChecksumsName))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	first := checksums()
	if again := checksums(); first != again || !strings.Contains(first, ".deb\n") || !strings.Contains(first, ".rpm\n") {
		t.Errorf("checksums differ:\n%s\n%s", first, again)
	}
}
