// Command samebytes builds examples/hello and examples/webui with every
// format, unsigned and signed (sign.windows with a PFX, sign.gpg, sign.apk
// and sign.macos with a Developer ID-shaped p12), at one SOURCE_DATE_EPOCH,
// with the bundle command given, and writes each build's checksums.txt
// into -out. bench/samebytes.sh runs it with two builds of bundle and
// compares what they wrote: a change that should not change behaviour
// must give the same bytes.
//
// The keys are made once into -keys and reused, so two runs sign with the
// same keys.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/bundlekit/bundle/internal/testcert"
)

const (
	password = "samebytes-secret"
	epoch    = "1767225600"
)

func main() {
	bundle := flag.String("bundle", "", "the bundle command to build with")
	keys := flag.String("keys", "", "folder of the signing keys, made when missing")
	out := flag.String("out", "", "folder the checksums are written into")
	repo := flag.String("repo", ".", "the repository, for its examples")
	flag.Parse()
	if *bundle == "" || *keys == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*bundle, *keys, *out, *repo); err != nil {
		fmt.Fprintln(os.Stderr, "samebytes:", err)
		os.Exit(1)
	}
}

func run(bundle, keys, out, repo string) error {
	if err := makeKeys(keys); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, example := range []string{"hello", "webui"} {
		for _, signed := range []bool{false, true} {
			name := example
			if signed {
				name += "-signed"
			}
			work, err := os.MkdirTemp("", "samebytes-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(work)
			dir := filepath.Join(work, example)
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(repo, "examples", example))); err != nil {
				return err
			}
			if err := configure(dir, keys, signed); err != nil {
				return err
			}
			if err := pointAtRuntimeHooks(dir, repo); err != nil {
				return err
			}
			cmd := exec.Command(bundle, "build", "--dist", filepath.Join(work, "dist"))
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH="+epoch, "SAMEBYTES_PASSWORD="+password)
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v\n%s", name, err, msg)
			}
			sums, err := os.ReadFile(filepath.Join(work, "dist", "checksums.txt"))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(out, name+".txt"), sums, 0o644); err != nil {
				return err
			}
			fmt.Printf("%s: %d artifacts\n", name, strings.Count(string(sums), "\n"))
		}
	}
	return nil
}

// configure turns on every format of every OS and, when signed, every
// signing, with the keys copied into the project.
func configure(dir, keys string, signed bool) error {
	path := filepath.Join(dir, "bundle.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var lines []string
	skip := false
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(l, "formats:"):
			skip = true
			continue
		case skip && strings.HasPrefix(l, "  "):
			continue
		}
		skip = false
		lines = append(lines, l)
	}
	config := strings.Join(lines, "\n") + "\nformats:\n  linux: [tar.gz, zip, deb, rpm, apk, archlinux]\n  windows: [zip, nsis, msi]\n  darwin: [tar.gz, zip, app, dmg]\n"
	if signed {
		if err := os.CopyFS(filepath.Join(dir, "keys"), os.DirFS(keys)); err != nil {
			return err
		}
		config += "sign:\n" +
			"  windows: {pfx_file: keys/codesign.pfx, password_env: SAMEBYTES_PASSWORD}\n" +
			"  gpg: {key_file: keys/signing.asc, passphrase_env: SAMEBYTES_PASSWORD}\n" +
			"  apk: {key_file: keys/apk.rsa, key_name: samebytes@example.com.rsa.pub}\n" +
			"  macos: {p12_file: keys/developer-id.p12, password_env: SAMEBYTES_PASSWORD}\n"
	}
	return os.WriteFile(path, []byte(config), 0o644)
}

// pointAtRuntimeHooks makes the copy's replace of the runtimehooks module,
// a path relative to the example's place in the repository, absolute.
func pointAtRuntimeHooks(dir, repo string) error {
	abs, err := filepath.Abs(filepath.Join(repo, "runtimehooks"))
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "=> ../../runtimehooks", "=> "+abs)), 0o644)
}

// makeKeys writes the keys into dir unless they are there.
func makeKeys(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "developer-id.p12")); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	at := time.Unix(1767225600, 0)
	if _, err := testcert.Write(dir, password, at); err != nil {
		return err
	}
	chainDir, err := os.MkdirTemp("", "samebytes-chain-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(chainDir)
	chain, err := testcert.WriteChain(chainDir, password, testcert.ChainOptions{DeveloperID: true, NotBefore: at.AddDate(0, 0, -1), NotAfter: at.AddDate(5, 0, 0)})
	if err != nil {
		return err
	}
	if err := copyFile(chain.P12, filepath.Join(dir, "developer-id.p12")); err != nil {
		return err
	}
	home, err := os.MkdirTemp("", "samebytes-gpg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	gpg := func(args ...string) ([]byte, error) {
		cmd := exec.Command("gpg", append([]string{"--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", password}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("gpg %v: %w", args, err)
		}
		return out, nil
	}
	if _, err := gpg("--quick-gen-key", "samebytes <samebytes@example.com>", "rsa2048", "sign", "never"); err != nil {
		return err
	}
	key, err := gpg("--armor", "--export-secret-keys")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "signing.asc"), key, 0o600); err != nil {
		return err
	}
	return exec.Command("openssl", "genrsa", "-out", filepath.Join(dir, "apk.rsa"), "2048").Run()
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o600)
}
