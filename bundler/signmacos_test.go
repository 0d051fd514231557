package bundler_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

const macPassword = "open sesame, but longer"

const notarizeSection = "notarize:\n  macos:\n    issuer_id: 69a6de70-03db-47e3-e053-5b8c7c11a4d1\n    key_id: ABCDEFGHIJ\n    key_file: keys/AuthKey_ABCDEFGHIJ.p8\n"

func validChain() testcert.ChainOptions {
	return testcert.ChainOptions{DeveloperID: true, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
}

// macSignedProject is examples/hello with sign.macos, whose password is in
// t's secret variable (secretName), and a test Developer ID chain, making
// the universal .app (zip) and the bare binary (tar.gz).
func macSignedProject(t *testing.T, o testcert.ChainOptions, extra string) (dir string, c testcert.Chain) {
	t.Helper()
	testtool.Need(t, "openssl", "openssl")
	dir = testfs.CopyProject(t, "examples/hello")
	c, err := testcert.WriteChain(t.TempDir(), macPassword, o)
	if err != nil {
		t.Fatal(err)
	}
	p12, err := os.ReadFile(c.P12)
	if err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, filepath.Join(dir, "keys", "developer-id.p12"), string(p12))
	cfg, err := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(cfg), "darwin: [tar.gz]", "darwin: [app, tar.gz]", 1)
	text = strings.Replace(text, "universal: false", "universal: true", 1)
	text += "sign:\n  macos:\n    p12_file: keys/developer-id.p12\n    password_env: " + secretName(t) + "\n" + extra
	testfs.WriteFile(t, filepath.Join(dir, "bundle.yaml"), text)
	return dir, c
}

// macBuild builds the project's two darwin targets into a fresh dist.
func macBuild(t *testing.T, dir string) buildtest.Built {
	t.Helper()
	return buildtest.Build(context.Background(), t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(),
		Targets: []string{"darwin/amd64", "darwin/arm64"},
	})

}

// TestMacOSSigned signs the universal app and the bare binary from Linux
// and checks both with a verifier that shares no code with the signer
// (Python and openssl): page hashes, Info.plist and resource-seal
// hashes, every sealed file, and the CMS signature against the test root.
// Inspect reads the app's signature back.
func TestMacOSSigned(t *testing.T) {
	testtool.Need(t, "python3 unzip", "python3", "unzip")
	dir, c := macSignedProject(t, validChain(), "    entitlements: entitlements.plist\n")
	setSecret(t, macPassword)
	testfs.WriteFile(t, filepath.Join(dir, "entitlements.plist"), `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>com.apple.security.network.server</key><true/></dict></plist>
`)
	b := macBuild(t, dir)
	if b.Err != nil {
		t.Fatal(b.Err)
	}
	if strings.Contains(b.Log(), macPassword) {
		t.Error("the password appears in the build's events")
	}
	verifier := filepath.Join(testfs.RepoRoot(t), "bundler", "internal", "macsign", "testdata", "verify_codesign.py")
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
	checked := map[string]bool{}
	for _, a := range b.Result.Manifest.Artifacts {
		x := t.TempDir()
		p := filepath.Join(b.Dist, a.Path)
		switch a.Format {
		case "app":
			testfs.MustRun(t, x, "unzip", "-q", p)
			apps, _ := filepath.Glob(filepath.Join(x, "*.app"))
			if len(apps) != 1 {
				t.Fatalf("app zip holds %v", apps)
			}
			check(apps[0], 1) // the icon at least
			r, err := bundler.Inspect(context.Background(), p)
			if err != nil || r.MacApp == nil || r.MacApp.CodeSignature == nil {
				t.Fatalf("inspect %s: %+v, %v", a.Path, r, err)
			}
			// No secure timestamp (Timestamp ""), which notarization
			// would need.
			want := bundler.CodeSignature{
				Identifier: "dev.bundlekit.hello", TeamID: c.Team, Signer: "Developer ID Application: Bundle Tests (" + c.Team + ")",
				Flags: []string{"runtime"}, Entitlements: []string{"com.apple.security.network.server"},
			}
			if got := *r.MacApp.CodeSignature; !reflect.DeepEqual(got, want) {
				t.Errorf("inspect: code signature %+v, want %+v", got, want)
			}
			if !r.MacApp.Sealed {
				t.Error("inspect: resources not sealed")
			}
		case "tar.gz":
			check(testfs.ExtractAll(t, p, x), 0)
		default:
			continue
		}
		checked[a.Format] = true
	}
	if !checked["app"] || !checked["tar.gz"] {
		t.Errorf("checked %v, want the app and the tar.gz", checked)
	}
}

// TestMacOSSignBadInput: each mistake is a one-line usage error naming
// the field, and nothing reaches dist.
func TestMacOSSignBadInput(t *testing.T) {
	t.Parallel()
	expired := validChain()
	expired.NotBefore, expired.NotAfter = time.Now().AddDate(-2, 0, 0), time.Now().AddDate(-1, 0, 0)
	for _, tc := range []struct {
		name, extra string
		password    string // "" leaves the variable unset
		want        string // $ENV stands for the password variable's name
		chain       testcert.ChainOptions
		mutate      func(t *testing.T, dir string)
	}{
		{name: "wrong password", password: "wrong", chain: validChain(),
			want: "sign.macos.password_env: the password in $ENV does not open keys/developer-id.p12"},
		{name: "password not set", chain: validChain(),
			want: "sign.macos.password_env: $ENV is not set"},
		{name: "expired certificate", password: macPassword, chain: expired,
			want: "expired on"},
		{name: "missing p12", password: macPassword, chain: validChain(),
			want:   "sign.macos.p12_file: keys/developer-id.p12 does not exist",
			mutate: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "keys", "developer-id.p12")) }},
		{name: "entitlements not a plist", password: macPassword, chain: validChain(),
			extra: "    entitlements: entitlements.plist\n", want: "sign.macos.entitlements: entitlements.plist is not a valid plist",
			mutate: func(t *testing.T, dir string) {
				testfs.WriteFile(t, filepath.Join(dir, "entitlements.plist"), "<plist><dict><key>x</dict>")
			}},
		{name: "entitlements missing", password: macPassword, chain: validChain(),
			extra: "    entitlements: entitlements.plist\n", want: "sign.macos.entitlements: entitlements.plist does not exist"},
		{name: "another identity", password: macPassword, chain: validChain(),
			extra: "    identity: OTHERTEAM1\n", want: "sign.macos.identity:"},
		{name: "notary key not a key", password: macPassword, chain: validChain(),
			extra: notarizeSection, want: "notarize.macos.key_file: not a PEM key (AuthKey_<key id>.p8)",
			mutate: func(t *testing.T, dir string) {
				testfs.WriteFile(t, filepath.Join(dir, "keys", "AuthKey_ABCDEFGHIJ.p8"), "-----BEGIN nothing")
			}},
		{name: "notary key missing", password: macPassword, chain: validChain(),
			extra: notarizeSection, want: "notarize.macos.key_file: keys/AuthKey_ABCDEFGHIJ.p8 does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, _ := macSignedProject(t, tc.chain, tc.extra)
			if tc.mutate != nil {
				tc.mutate(t, dir)
			}
			if tc.password != "" {
				setSecret(t, tc.password)
			}
			want := strings.ReplaceAll(tc.want, "$ENV", "$"+secretName(t))
			b := macBuild(t, dir)
			if b.Err == nil {
				t.Fatalf("built; want a usage error saying %q", want)
			}
			msg := b.Err.Error()
			if code := bundler.ExitCode(b.Err); code != bundler.ExitUsage || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
				t.Errorf("exit code %d, error:\n%s\nwant exit code %d and one line with %q", code, msg, bundler.ExitUsage, want)
			}
			emptyDir(t, b.Dist)
		})
	}
}

// TestMacOSSignNotDeveloperID: a certificate that is not a Developer ID
// Application certificate still signs, with a warning that Gatekeeper
// will reject the app.
func TestMacOSSignNotDeveloperID(t *testing.T) {
	t.Parallel()
	o := validChain()
	o.DeveloperID = false
	dir, _ := macSignedProject(t, o, "")
	setSecret(t, macPassword)
	b := macBuild(t, dir)
	if b.Err != nil {
		t.Fatal(b.Err)
	}
	const want = "is not a Developer ID Application certificate; Gatekeeper will reject apps signed with it"
	var warned int
	for _, e := range b.Events {
		if e.Kind == bundler.Warned && strings.Contains(e.Message, want) {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("%d warnings that %q, want 1; events:\n%s", warned, want, b.Log())
	}
}

// TestNotarizeWithoutSign: notarizing needs signing, a one-line usage
// error.
func TestNotarizeWithoutSign(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello")
	appendConfig(t, dir, notarizeSection)
	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir()})
	const want = "notarize.macos: Apple notarizes only signed code; add sign.macos"
	if b.Err == nil || bundler.ExitCode(b.Err) != bundler.ExitUsage || !strings.Contains(b.Err.Error(), want) || strings.Contains(b.Err.Error(), "\n") {
		t.Errorf("notarize without sign: exit code %d, error %v; want %d and one line with %q", bundler.ExitCode(b.Err), b.Err, bundler.ExitUsage, want)
	}
	emptyDir(t, b.Dist)
}
