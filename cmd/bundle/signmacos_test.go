package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testtool"
)

// macSignedProject is examples/hello with sign.macos and a test Developer
// ID chain, making the universal .app (zip) and the bare binary (tar.gz).
func macSignedProject(t *testing.T, o testcert.ChainOptions, extra string) (dir string, c testcert.Chain) {
	t.Helper()
	testtool.Need(t, "openssl", "openssl")
	dir = copyProject(t, "examples/hello")
	c, err := testcert.WriteChain(t.TempDir(), macPassword, o)
	if err != nil {
		t.Fatal(err)
	}
	p12, _ := os.ReadFile(c.P12)
	writeFile(t, filepath.Join(dir, "keys", "developer-id.p12"), string(p12))
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	text := strings.Replace(string(cfg), "darwin: [tar.gz]", "darwin: [app, tar.gz]", 1)
	text = strings.Replace(text, "universal: false", "universal: true", 1)
	text += "sign:\n  macos:\n    p12_file: keys/developer-id.p12\n    password_env: TEST_P12_PASSWORD\n" + extra
	writeFile(t, filepath.Join(dir, "bundle.yaml"), text)
	return dir, c
}

const macPassword = "open sesame, but longer"

const notarizeSection = "notarize:\n  macos:\n    issuer_id: 69a6de70-03db-47e3-e053-5b8c7c11a4d1\n    key_id: ABCDEFGHIJ\n    key_file: keys/AuthKey_ABCDEFGHIJ.p8\n"

func validChain() testcert.ChainOptions {
	return testcert.ChainOptions{DeveloperID: true, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
}

// TestMacOSSigned signs the universal app and the bare binary from Linux
// and checks both with a verifier that shares no code with the signer
// (Python and openssl): page hashes, Info.plist and resource-seal
// hashes, every sealed file, and the CMS signature against the test root.
func TestMacOSSigned(t *testing.T) {
	testtool.Need(t, "python3", "python3")
	dir, c := macSignedProject(t, validChain(), "    entitlements: entitlements.plist\n")
	writeFile(t, filepath.Join(dir, "entitlements.plist"), `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>com.apple.security.network.server</key><true/></dict></plist>
`)
	dist := t.TempDir()
	r := runBundle(t, dir, []string{epoch, "TEST_P12_PASSWORD=" + macPassword}, "build", "--dist", dist, "--target", "darwin/amd64,darwin/arm64")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, macPassword) {
		t.Error("the password appears in bundle's output")
	}
	verifier := filepath.Join(repoRoot(t), "bundler", "macsign", "testdata", "verify_codesign.py")
	check := func(path string, wantSealed int) {
		t.Helper()
		out, err := exec.Command("python3", verifier, "--ca", c.RootCA, path).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", path, err, out)
		}
		var v struct {
			Sealed int `json:"sealed_files"`
			Slices []struct {
				Identifier   string   `json:"identifier"`
				Team         string   `json:"team"`
				Hardened     bool     `json:"hardened"`
				Entitlements []string `json:"entitlements"`
			} `json:"slices"`
		}
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		if len(v.Slices) != 2 || v.Sealed < wantSealed {
			t.Fatalf("%s: %s", path, out)
		}
		for _, s := range v.Slices {
			if s.Identifier != "dev.bundlekit.hello" || s.Team != c.Team || !s.Hardened || strings.Join(s.Entitlements, ",") != "com.apple.security.network.server" {
				t.Errorf("%s: %+v", path, s)
			}
		}
	}
	for _, a := range readManifest(t, dist).Artifacts {
		x := t.TempDir()
		switch a.Format {
		case "app":
			mustRun(t, x, "unzip", "-q", filepath.Join(dist, a.Path))
			apps, _ := filepath.Glob(filepath.Join(x, "*.app"))
			if len(apps) != 1 {
				t.Fatalf("app zip holds %v", apps)
			}
			check(apps[0], 1) // the icon at least
			r := runBundle(t, dir, nil, "inspect", filepath.Join(dist, a.Path))
			want := `code signature               signed by "Developer ID Application: Bundle Tests (` + c.Team + `)", team ` + c.Team +
				`, identifier dev.bundlekit.hello, flags runtime, entitlements com.apple.security.network.server, no secure timestamp (notarization needs one); resources sealed`
			if r.code != 0 || !strings.Contains(r.stdout, want) {
				t.Errorf("inspect: exit %d\n%s\nwant a line with %s", r.code, r.stdout, want)
			}
		case "tar.gz":
			check(extractAll(t, filepath.Join(dist, a.Path), x), 0)
		}
	}
}

// TestMacOSSignBadInput: each mistake is one line naming the field, exit 2,
// and nothing in dist; a certificate that is not Developer ID signs with
// a warning.
func TestMacOSSignBadInput(t *testing.T) {
	t.Parallel()
	expired := validChain()
	expired.NotBefore, expired.NotAfter = time.Now().AddDate(-2, 0, 0), time.Now().AddDate(-1, 0, 0)
	for _, tc := range []struct {
		name, extra, env, want string
		chain                  testcert.ChainOptions
		mutate                 func(t *testing.T, dir string)
	}{
		{name: "wrong password", env: "TEST_P12_PASSWORD=wrong", chain: validChain(),
			want: "sign.macos.password_env: the password in $TEST_P12_PASSWORD does not open keys/developer-id.p12"},
		{name: "password not set", chain: validChain(),
			want: "sign.macos.password_env: $TEST_P12_PASSWORD is not set"},
		{name: "expired certificate", env: "TEST_P12_PASSWORD=" + macPassword, chain: expired,
			want: "expired on"},
		{name: "missing p12", env: "TEST_P12_PASSWORD=" + macPassword, chain: validChain(),
			want:   "sign.macos.p12_file: keys/developer-id.p12 does not exist",
			mutate: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "keys", "developer-id.p12")) }},
		{name: "entitlements not a plist", env: "TEST_P12_PASSWORD=" + macPassword, chain: validChain(),
			extra: "    entitlements: entitlements.plist\n", want: "sign.macos.entitlements: entitlements.plist is not a valid plist",
			mutate: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "entitlements.plist"), "<plist><dict><key>x</dict>")
			}},
		{name: "entitlements missing", env: "TEST_P12_PASSWORD=" + macPassword, chain: validChain(),
			extra: "    entitlements: entitlements.plist\n", want: "sign.macos.entitlements: entitlements.plist does not exist"},
		{name: "another identity", env: "TEST_P12_PASSWORD=" + macPassword, chain: validChain(),
			extra: "    identity: OTHERTEAM1\n", want: "sign.macos.identity:"},
		{name: "notary key not a key", env: "TEST_P12_PASSWORD=" + macPassword, chain: validChain(),
			extra: notarizeSection, want: "notarize.macos.key_file: not a PEM key (AuthKey_<key id>.p8)",
			mutate: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "keys", "AuthKey_ABCDEFGHIJ.p8"), "-----BEGIN nothing")
			}},
		{name: "notary key missing", env: "TEST_P12_PASSWORD=" + macPassword, chain: validChain(),
			extra: notarizeSection, want: "notarize.macos.key_file: keys/AuthKey_ABCDEFGHIJ.p8 does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, _ := macSignedProject(t, tc.chain, tc.extra)
			if tc.mutate != nil {
				tc.mutate(t, dir)
			}
			dist := t.TempDir()
			r := runBundle(t, dir, []string{epoch, tc.env}, "build", "--dist", dist, "--target", "darwin/amd64,darwin/arm64")
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and one line with %q", r.code, r.stderr, tc.want)
			}
			if entries, _ := os.ReadDir(dist); len(entries) != 0 {
				t.Errorf("dist after a refused build: %v", entries)
			}
		})
	}
}

// TestMacOSSignNotDeveloperID: a certificate that is not a Developer ID
// Application certificate still signs, with a warning that Gatekeeper
// will reject the app, repeated in the summary.
func TestMacOSSignNotDeveloperID(t *testing.T) {
	t.Parallel()
	o := validChain()
	o.DeveloperID = false
	dir, _ := macSignedProject(t, o, "")
	r := runBundle(t, dir, []string{epoch, "TEST_P12_PASSWORD=" + macPassword}, "build", "--dist", t.TempDir(), "--target", "darwin/amd64,darwin/arm64")
	const want = "is not a Developer ID Application certificate; Gatekeeper will reject apps signed with it"
	if r.code != 0 || strings.Count(r.stdout+r.stderr, want) != 2 {
		t.Errorf("exit %d; want 0 and the warning twice (as it happens and in the summary)\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestNotarizeUsage: --skip takes only step names, and notarizing needs
// signing; both are one-line usage errors.
func TestNotarizeUsage(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, "examples/hello")
	r := runBundle(t, dir, nil, "build", "--dist", t.TempDir(), "--skip", "notarise")
	if r.code != 2 || strings.TrimSpace(r.stderr) != `bundle: --skip notarise: no such step (did you mean "notarize"?); steps: notarize` {
		t.Errorf("--skip notarise: exit %d\n%s", r.code, r.stderr)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	writeFile(t, filepath.Join(dir, "bundle.yaml"), string(cfg)+notarizeSection)
	r = runBundle(t, dir, nil, "build", "--dist", t.TempDir())
	if r.code != 2 || !strings.Contains(r.stderr, "notarize.macos: Apple notarizes only signed code; add sign.macos") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("notarize without sign: exit %d\n%s", r.code, r.stderr)
	}
}
