package linuxpkg

import (
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
	"github.com/bundlekit/bundle/internal/testtool"
)

const testPassphrase = "correct-horse-battery-staple"

// gpgHome is a GnuPG home of a test's own.
type gpgHome string

// newGPGHome makes a GnuPG home for t and stops its agent when t ends.
func newGPGHome(t *testing.T) gpgHome {
	t.Helper()
	testtool.Need(t, "gnupg", "gpg", "gpgconf")
	home := t.TempDir()
	// The agent otherwise hashes a passphrase for 100 ms of CPU, measured
	// when it starts: seconds on a busy machine, for every key.
	if err := os.WriteFile(filepath.Join(home, "gpg-agent.conf"), []byte("s2k-count 65536\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run() })
	return gpgHome(home)
}

// gpg runs gpg in h, pass answering any passphrase question, and returns
// its standard output; a failure fails t.
func (h gpgHome) gpg(t *testing.T, pass string, args ...string) string {
	t.Helper()
	out, err := exec.Command("gpg", append([]string{"--homedir", string(h), "--batch", "--pinentry-mode", "loopback", "--passphrase", pass}, args...)...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// genKey makes a key that signs, as if at time made, protected by pass
// ("" for none) and expiring as gpg's expire argument says ("never", a
// period or a date). It returns h's secret keys, armored.
func (h gpgHome) genKey(t *testing.T, algo string, made time.Time, expire, pass string) string {
	t.Helper()
	at := strconv.FormatInt(made.Unix(), 10)
	h.gpg(t, pass, "--faked-system-time", at+"!", "--quick-gen-key", "bundle test "+at+" <test@example.com>", algo, "sign", expire)
	return h.gpg(t, pass, "--armor", "--export-secret-keys")
}

// signedInput is debInput signed with key, written at keys/signing.asc,
// with pass in a variable named after t: unlike t.Setenv, that lets tests
// run in parallel.
func signedInput(t *testing.T, key, pass string) packager.Input {
	t.Helper()
	in := debInput(t)
	in.Config.Sign.GPG = &config.GPG{
		KeyFile:       "keys/signing.asc",
		PassphraseEnv: "BUNDLE_TEST_" + strings.ToUpper(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_")),
	}
	writeKey(t, in, key)
	setEnv(t, in.Config.Sign.GPG.PassphraseEnv, pass)
	return in
}

// writeKey writes in's key file.
func writeKey(t *testing.T, in packager.Input, key string) {
	t.Helper()
	path := filepath.Join(in.Dir, filepath.FromSlash(in.Config.Sign.GPG.KeyFile))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
}

// setEnv sets the variable name to value until t ends.
func setEnv(t *testing.T, name, value string) {
	t.Helper()
	if err := os.Setenv(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Unsetenv(name) })
}

// TestGPGSignedReproducible: a signed deb or rpm made twice is the same
// bytes, its signatures verify with gpg and rpm, and they carry the
// packages' time, or the time the key was made when that is later.
func TestGPGSignedReproducible(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "gnupg rpm binutils", "gpg", "rpm", "ar")
	mtime := debInput(t).MTime
	tests := []struct {
		name string
		algo string
		made time.Time
		want time.Time // of the signatures
	}{
		{"RSA", "rsa2048", mtime.AddDate(-1, 0, 0), mtime},
		{"Ed25519", "ed25519", mtime.AddDate(-1, 0, 0), mtime},
		{"key newer than the packages", "ed25519", mtime.AddDate(0, 5, 0), mtime.AddDate(0, 5, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newGPGHome(t)
			key := h.genKey(t, tt.algo, tt.made, "never", testPassphrase)
			public := filepath.Join(t.TempDir(), "public.asc")
			if err := os.WriteFile(public, []byte(h.gpg(t, "", "--armor", "--export")), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, f := range []Format{Deb, RPM} {
				t.Run(f.name, func(t *testing.T) {
					in := signedInput(t, key, testPassphrase)
					first := packagertest.Bytes(t, f, in)
					in.WorkDir = t.TempDir()
					if again := packagertest.Bytes(t, f, in); string(first) != string(again) {
						t.Fatalf("two builds differ (%d and %d bytes)", len(first), len(again))
					}
					pkg := filepath.Join(t.TempDir(), f.FileName(in))
					if err := os.WriteFile(pkg, first, 0o644); err != nil {
						t.Fatal(err)
					}
					var sigs []string
					if f == Deb {
						sigs = verifyDeb(t, h, pkg)
					} else {
						sigs = verifyRPM(t, public, pkg)
					}
					for _, sig := range sigs {
						if got := signatureTime(t, h, sig); !got.Equal(tt.want) {
							t.Errorf("%s made at %s, want %s", filepath.Base(sig), got, tt.want)
						}
					}
				})
			}
		})
	}
}

// verifyDeb checks the deb's _gpgorigin with gpg, as debsig-verify does:
// a detached signature of debian-binary, control.tar.gz and data.tar.gz
// in a row. It returns the signature's file.
func verifyDeb(t *testing.T, h gpgHome, deb string) []string {
	t.Helper()
	x := t.TempDir()
	cmd := exec.Command("ar", "x", deb)
	cmd.Dir = x
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ar x: %v\n%s", err, out)
	}
	var signed []byte
	for _, name := range []string{"debian-binary", "control.tar.gz", "data.tar.gz"} {
		member, err := os.ReadFile(filepath.Join(x, name))
		if err != nil {
			t.Fatal(err)
		}
		signed = append(signed, member...)
	}
	data := filepath.Join(x, "signed")
	if err := os.WriteFile(data, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	sig := filepath.Join(x, "_gpgorigin")
	out, err := exec.Command("gpg", "--homedir", string(h), "--batch", "--verify", sig, data).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Good signature") {
		t.Fatalf("gpg --verify: %v\n%s", err, out)
	}
	return []string{sig}
}

// verifyRPM checks the rpm's signatures with rpm -K, the public key
// imported into an rpm database of its own, and returns the files of its
// header signature and its header-and-payload signature.
func verifyRPM(t *testing.T, public, rpm string) []string {
	t.Helper()
	db := t.TempDir()
	run(t, "rpm", "--dbpath", db, "--import", public)
	if out := run(t, "rpm", "--dbpath", db, "-K", rpm); !strings.HasSuffix(out, " signatures OK") {
		t.Fatalf("rpm -K: %s", out)
	}
	var sigs []string
	for _, tag := range []string{"RSAHEADER", "SIGPGP"} {
		out, err := exec.Command("rpm", "--dbpath", db, "--query", "--package", "--queryformat", "%{"+tag+"}", rpm).Output()
		if err != nil {
			t.Fatalf("rpm --queryformat %%{%s}: %v", tag, err)
		}
		raw, err := hex.DecodeString(string(out))
		if err != nil || len(raw) == 0 {
			t.Fatalf("rpm's %s %q: %v", tag, out, err)
		}
		sig := filepath.Join(t.TempDir(), tag)
		if err := os.WriteFile(sig, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, sig)
	}
	return sigs
}

var sigCreated = regexp.MustCompile(`(?m)^:signature packet:.*\n\s+version \d+, created (\d+),`)

// signatureTime is the creation time of the one signature in the file sig,
// as gpg --list-packets shows it.
func signatureTime(t *testing.T, h gpgHome, sig string) time.Time {
	t.Helper()
	out := h.gpg(t, "", "--list-packets", sig)
	m := sigCreated.FindAllStringSubmatch(out, -1)
	if len(m) != 1 {
		t.Fatalf("not one signature in %s:\n%s", filepath.Base(sig), out)
	}
	sec, _ := strconv.ParseInt(m[0][1], 10, 64)
	return time.Unix(sec, 0).UTC()
}

// TestGPGKeyRefused: a key that cannot sign, or cannot be unlocked, stops
// the package with one line naming the field to fix, exit code 2, and
// never the passphrase.
func TestGPGKeyRefused(t *testing.T) {
	t.Parallel()
	made := time.Now().UTC().Truncate(time.Second).AddDate(-1, 0, 0)
	protected := newGPGHome(t) // valid from a year ago to a year from now
	key := protected.genKey(t, "ed25519", made, made.AddDate(2, 0, 0).Format(time.DateOnly), testPassphrase)
	expired := newGPGHome(t)
	expiredKey := expired.genKey(t, "ed25519", made, "1d", "")

	// In want, $VAR is the test's passphrase variable.
	tests := []struct {
		name string
		in   func(t *testing.T) packager.Input
		want string
	}{
		{"wrong passphrase", func(t *testing.T) packager.Input {
			return signedInput(t, key, "wrong")
		}, "deb: sign.gpg.passphrase_env: the passphrase in $VAR does not unlock keys/signing.asc; export the key's passphrase in it"},
		{"empty passphrase", func(t *testing.T) packager.Input {
			return signedInput(t, key, "")
		}, "deb: sign.gpg.passphrase_env: $VAR is empty and keys/signing.asc needs a passphrase; export the key's passphrase in it"},
		{"no passphrase_env", func(t *testing.T) packager.Input {
			in := signedInput(t, key, testPassphrase)
			in.Config.Sign.GPG.PassphraseEnv = ""
			return in
		}, "deb: sign.gpg.key_file: keys/signing.asc needs a passphrase; set sign.gpg.passphrase_env to the variable that holds it"},
		{"public key", func(t *testing.T) packager.Input {
			return signedInput(t, protected.gpg(t, "", "--armor", "--export"), testPassphrase)
		}, "deb: sign.gpg.key_file: keys/signing.asc holds no secret key, only public ones; export the secret key with gpg --armor --export-secret-keys KEY-ID"},
		{"no secret signing key", func(t *testing.T) packager.Input {
			// A key without subkeys exported for its subkeys only: its
			// primary key, which signs, is a stub.
			return signedInput(t, protected.gpg(t, testPassphrase, "--armor", "--export-secret-subkeys"), testPassphrase)
		}, "deb: sign.gpg.key_file: keys/signing.asc lacks the secret part of its signing key; export it with gpg --armor --export-secret-keys "},
		{"not a key", func(t *testing.T) packager.Input {
			return signedInput(t, "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PRIVATE KEY BLOCK-----\n", testPassphrase)
		}, "deb: sign.gpg.key_file: keys/signing.asc is not an OpenPGP key ("},
		{"two keys", func(t *testing.T) packager.Input {
			// Binary keys, unlike armored ones, read as one keyring when
			// put one after the other.
			return signedInput(t, protected.gpg(t, testPassphrase, "--export-secret-keys")+expired.gpg(t, "", "--export-secret-keys"), testPassphrase)
		}, "deb: sign.gpg.key_file: keys/signing.asc holds 2 secret keys; export only the one that signs with gpg --armor --export-secret-keys KEY-ID"},
		{"expired key", func(t *testing.T) packager.Input {
			return signedInput(t, expiredKey, "")
		}, "deb: sign.gpg.key_file: keys/signing.asc has no key that may sign now (expired, revoked or not made to sign); extend it with gpg --quick-set-expire, or export another"},
		{"expired by the packages' time", func(t *testing.T) packager.Input {
			in := signedInput(t, key, testPassphrase)
			in.MTime = made.AddDate(3, 0, 0)
			return in
		}, "deb: sign.gpg.key_file: keys/signing.asc has expired by " + made.AddDate(3, 0, 0).Format(time.RFC3339) + ", the packages' time (SOURCE_DATE_EPOCH, else the commit time); extend it with gpg --quick-set-expire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in(t)
			_, err := packagertest.Make(context.Background(), t, Deb, in)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			want := strings.ReplaceAll(tt.want, "$VAR", "$"+in.Config.Sign.GPG.PassphraseEnv)
			if !strings.HasPrefix(msg, want) || strings.Contains(msg, "\n") || strings.Contains(msg, testPassphrase) {
				t.Errorf("error:\n%s\nwant one line starting\n%s", msg, want)
			}
			if code := exitcode.Of(err); code != exitcode.Usage {
				t.Errorf("exit code %d, want %d", code, exitcode.Usage)
			}
		})
	}
}
