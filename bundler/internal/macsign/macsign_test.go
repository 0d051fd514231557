package macsign

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	bmacho "github.com/bundlekit/bundle/bundler/internal/macho"
	"github.com/bundlekit/bundle/bundler/internal/notarytest"
	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testexe"
	"github.com/bundlekit/bundle/internal/testtool"
)

const password = "correct horse"

var chains struct {
	sync.Mutex
	m map[string]testcert.Chain
}

// chain makes (once per kind) a test chain in a folder that outlives the
// test that first asked.
func chain(t *testing.T, developerID bool) testcert.Chain {
	t.Helper()
	testtool.Need(t, "openssl", "openssl")
	chains.Lock()
	defer chains.Unlock()
	key := map[bool]string{true: "devid", false: "plain"}[developerID]
	if c, ok := chains.m[key]; ok {
		return c
	}
	dir, err := os.MkdirTemp("", "macsign-chain-")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c, err := testcert.WriteChain(dir, password, testcert.ChainOptions{DeveloperID: developerID, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if chains.m == nil {
		chains.m = map[string]testcert.Chain{}
	}
	chains.m[key] = c
	return c
}

func identity(t *testing.T, c testcert.Chain) *Identity {
	t.Helper()
	p12, err := os.ReadFile(c.P12)
	if err != nil {
		t.Fatal(err)
	}
	id, err := LoadIdentity(p12, password, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type verified struct {
	SealedFiles int `json:"sealed_files"`
	Slices      []struct {
		Identifier   string   `json:"identifier"`
		Team         string   `json:"team"`
		Hardened     bool     `json:"hardened"`
		Pages        int      `json:"pages"`
		Entitlements []string `json:"entitlements"`
		SignerInCMS  bool     `json:"signer_in_cms"`
	} `json:"slices"`
}

// verify runs the independent checker; it shares no code with the signer.
func verify(t *testing.T, ca, path string) (verified, error) {
	t.Helper()
	testtool.Need(t, "python3", "python3")
	out, err := exec.Command("python3", "testdata/verify_codesign.py", "--ca", ca, path).CombinedOutput()
	if err != nil {
		return verified{}, errors.New(strings.TrimSpace(string(out)))
	}
	var v verified
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return v, nil
}

func universal(t *testing.T) []byte {
	var b bytes.Buffer
	if err := bmacho.Universal(&b, testexe.Darwin(t, "amd64"), testexe.Darwin(t, "arm64")); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const entitlementsXML = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>com.apple.security.cs.allow-jit</key>
	<true/>
	<key>com.apple.security.network.client</key>
	<true/>
</dict>
</plist>
`

func TestSignedExecutableVerifies(t *testing.T) {
	ents, err := ParseEntitlements([]byte(entitlementsXML))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		exe          func(*testing.T) []byte
		entitlements *Entitlements
		slices       int
	}{
		{"amd64, no LC_CODE_SIGNATURE from the linker", func(t *testing.T) []byte { return testexe.Darwin(t, "amd64") }, nil, 1},
		{"arm64, ad-hoc signature replaced", func(t *testing.T) []byte { return testexe.Darwin(t, "arm64") }, ents, 1},
		{"universal", universal, ents, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := chain(t, true)
			signed, err := SignExecutable(context.Background(), tc.exe(t), Options{Identity: identity(t, c), Identifier: "com.example.tiny",
				Hardened: true, Entitlements: tc.entitlements})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "tiny")
			if err := os.WriteFile(path, signed, 0o755); err != nil {
				t.Fatal(err)
			}
			v, err := verify(t, c.RootCA, path)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Slices) != tc.slices {
				t.Fatalf("%d slices verified, want %d", len(v.Slices), tc.slices)
			}
			for _, s := range v.Slices {
				if s.Identifier != "com.example.tiny" || s.Team != c.Team || !s.Hardened || !s.SignerInCMS {
					t.Errorf("slice: %+v", s)
				}
				if tc.entitlements != nil && strings.Join(s.Entitlements, " ") != "com.apple.security.cs.allow-jit com.apple.security.network.client" {
					t.Errorf("entitlements %v", s.Entitlements)
				}
			}
			// debug/macho still reads every slice.
			if _, err := bmacho.Slices(bytes.NewReader(signed)); err != nil && tc.slices > 1 {
				t.Fatal(err)
			}
		})
	}
}

// stageApp lays out a small .app the way bundle stages one.
func stageApp(t *testing.T) string {
	app := filepath.Join(t.TempDir(), "Tiny.app")
	files := map[string][]byte{
		"Contents/Info.plist": []byte(`<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>CFBundleExecutable</key><string>tiny</string><key>CFBundleIdentifier</key><string>com.example.tiny</string></dict></plist>
`),
		"Contents/PkgInfo":                      []byte("APPL????"),
		"Contents/MacOS/tiny":                   universal(t),
		"Contents/Resources/tiny.icns":          bytes.Repeat([]byte("icns"), 1000),
		"Contents/Resources/en.lproj/x.strings": []byte(`"a" = "b";`),
		"Contents/Resources/docs/README":        []byte("read me\n"),
	}
	for rel, data := range files {
		p := filepath.Join(app, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("docs/README", filepath.Join(app, "Contents/Resources/README")); err != nil {
		t.Fatal(err)
	}
	return app
}

func TestSignedAppVerifiesAndTamperingIsCaught(t *testing.T) {
	c := chain(t, true)
	id := identity(t, c)
	app := stageApp(t)
	if err := SignApp(context.Background(), app, Options{Identity: id, Identifier: "com.example.tiny", Hardened: true}); err != nil {
		t.Fatal(err)
	}
	v, err := verify(t, c.RootCA, app)
	if err != nil {
		t.Fatal(err)
	}
	if v.SealedFiles != 4 || len(v.Slices) != 2 {
		t.Fatalf("verified %+v; want 4 sealed files and 2 slices", v)
	}

	exe := filepath.Join("Contents", "MacOS", "tiny")
	for _, tc := range []struct {
		name, want string
		tamper     func(t *testing.T, app string)
	}{
		{"a resource changed", "tiny.icns: hash differs from the seal", func(t *testing.T, app string) {
			writeFile(t, filepath.Join(app, "Contents/Resources/tiny.icns"), []byte("other"))
		}},
		{"a file added", "Resources/extra is not sealed", func(t *testing.T, app string) {
			writeFile(t, filepath.Join(app, "Contents/Resources/extra"), []byte("x"))
		}},
		{"a file removed", "sealed but missing: Resources/tiny.icns", func(t *testing.T, app string) {
			os.Remove(filepath.Join(app, "Contents/Resources/tiny.icns"))
		}},
		{"a link retargeted", "README: symlink target differs", func(t *testing.T, app string) {
			os.Remove(filepath.Join(app, "Contents/Resources/README"))
			os.Symlink("tiny.icns", filepath.Join(app, "Contents/Resources/README"))
		}},
		{"Info.plist changed", "special slot -1 hash differs", func(t *testing.T, app string) {
			p := filepath.Join(app, "Contents/Info.plist")
			data, _ := os.ReadFile(p)
			writeFile(t, p, bytes.Replace(data, []byte("com.example.tiny"), []byte("com.evil.tinyyy"), 1))
		}},
		{"a code page changed", "page 1 hash differs", func(t *testing.T, app string) {
			flip(t, filepath.Join(app, exe), 0x1000+0x1000+7) // the amd64 slice starts at 4 KiB: its second page
		}},
		{"the CodeDirectory changed", "openssl cms -verify", func(t *testing.T, app string) {
			p := filepath.Join(app, exe)
			data, _ := os.ReadFile(p)
			i := bytes.Index(data, []byte("com.example.tiny\x00"))
			flip(t, p, i) // the identifier inside the first CodeDirectory
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			copyDir := filepath.Join(t.TempDir(), "Tiny.app")
			if out, err := exec.Command("cp", "-a", app, copyDir).CombinedOutput(); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			tc.tamper(t, copyDir)
			_, err := verify(t, c.RootCA, copyDir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("verify after tampering: %v; want %q", err, tc.want)
			}
		})
	}
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func flip(t *testing.T, p string, at int) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil || at < 0 || at >= len(data) {
		t.Fatalf("flip %s at %d: %v", p, at, err)
	}
	data[at] ^= 0xff
	writeFile(t, p, data)
}

func TestReadNamesSignerTeamFlagsAndEntitlements(t *testing.T) {
	c := chain(t, true)
	ents, err := ParseEntitlements([]byte(entitlementsXML))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := SignExecutable(context.Background(), universal(t), Options{Identity: identity(t, c), Identifier: "com.example.tiny", Hardened: true, Entitlements: ents})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read(signed)
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Identifier: "com.example.tiny", TeamID: c.Team, Signer: "Developer ID Application: Bundle Tests (" + c.Team + ")",
		Flags: []string{"runtime"}, Entitlements: []string{"com.apple.security.cs.allow-jit", "com.apple.security.network.client"}}
	if fmt.Sprint(*got) != fmt.Sprint(want) {
		t.Errorf("Read = %+v\nwant   %+v", *got, want)
	}
	// Go's linker signs arm64 ad hoc; amd64 is unsigned.
	if got, err := Read(testexe.Darwin(t, "arm64")); err != nil || strings.Join(got.Flags, ",") != "adhoc,linker-signed" || got.Signer != "" {
		t.Errorf("linker-signed arm64: %+v, %v", got, err)
	}
	if _, err := Read(testexe.Darwin(t, "amd64")); !errors.Is(err, ErrNotSigned) {
		t.Errorf("amd64: %v, want ErrNotSigned", err)
	}
}

// TestDEREntitlements checks Apple's DER form of entitlements against
// encodings worked out by hand from the format: [APPLICATION 16]
// {INTEGER 1, [CONTEXT 16] {SEQUENCE {UTF8String key, value}...}}.
func TestDEREntitlements(t *testing.T) {
	plistOf := func(body string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">` + body + `</plist>`
	}
	for _, tc := range []struct {
		body string
		want []byte
	}{
		{`<dict/>`, []byte{0x70, 5, 2, 1, 1, 0xb0, 0}},
		{`<dict><key>key</key><true/></dict>`, []byte{0x70, 15, 2, 1, 1, 0xb0, 10, 0x30, 8, 0x0c, 3, 'k', 'e', 'y', 1, 1, 0xff}},
		{`<dict><key>key</key><integer>42</integer></dict>`, []byte{0x70, 15, 2, 1, 1, 0xb0, 10, 0x30, 8, 0x0c, 3, 'k', 'e', 'y', 2, 1, 42}},
		{`<dict><key>key</key><array><true/><string>foo</string></array></dict>`,
			[]byte{0x70, 22, 2, 1, 1, 0xb0, 17, 0x30, 15, 0x0c, 3, 'k', 'e', 'y', 0x30, 8, 1, 1, 0xff, 0x0c, 3, 'f', 'o', 'o'}},
		{`<dict><key>b</key><false/><key>a</key><string></string></dict>`, // sorted by key
			[]byte{0x70, 20, 2, 1, 1, 0xb0, 15, 0x30, 5, 0x0c, 1, 'a', 0x0c, 0, 0x30, 6, 0x0c, 1, 'b', 1, 1, 0}},
	} {
		e, err := ParseEntitlements([]byte(plistOf(tc.body)))
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		_, der := e.blobs()
		if got := der[8:]; !bytes.Equal(got, tc.want) {
			t.Errorf("%s:\n got % x\nwant % x", tc.body, got, tc.want)
		}
	}
}

func TestParseEntitlementsRefuses(t *testing.T) {
	for body, want := range map[string]string{
		`<plist version="1.0"><array/></plist>`:                                                   "top level is not a <dict>",
		`<plist version="1.0"><dict><key>d</key><date>2020-01-01T00:00:00Z</date></dict></plist>`: `entitlement "d" holds a time.Time`,
		`<plist version="1.0"><dict><key>r</key><real>1.5</real></dict></plist>`:                  `entitlement "r" holds a float64`,
		`<plist><dict><key>x</dict>`:                                                              "not a valid plist",
		`{ a = b; }`:                                                                              "a OpenStep plist; codesign embeds entitlements as an XML plist",
	} {
		if _, err := ParseEntitlements([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// TestSignedIsReproducible: with a fixed signing time, signing is a pure
// function of its inputs (an RSA PKCS #1 v1.5 signature is deterministic).
func TestSignedIsReproducible(t *testing.T) {
	c := chain(t, true)
	o := Options{Identity: identity(t, c), Identifier: "com.example.tiny", Hardened: true, Time: time.Unix(1767225600, 0)}
	first, err := SignExecutable(context.Background(), universal(t), o)
	if err != nil {
		t.Fatal(err)
	}
	second, err := SignExecutable(context.Background(), universal(t), o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("two signatures of the same file at the same time differ")
	}
	o.Time = o.Time.Add(time.Second)
	if third, _ := SignExecutable(context.Background(), universal(t), o); bytes.Equal(first, third) {
		t.Error("the signing time is not in the signature")
	}
}

// TestTimestamped: with a time-stamping server, the CMS signature carries
// an RFC 3161 token over the signature, which openssl verifies against the
// server's certificate, and inspect reads its time.
func TestTimestamped(t *testing.T) {
	c := chain(t, true)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := notarytest.New(t, "issuer", "KEY1234567", &key.PublicKey)
	signed, err := SignExecutable(context.Background(), testexe.Darwin(t, "arm64"), Options{Identity: identity(t, c), Identifier: "com.example.tiny",
		Hardened: true, Time: time.Unix(1767225600, 0), Timestamper: &Timestamper{URL: srv.URL + "/timestamp", HTTP: srv.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	info, err := Read(signed)
	if err != nil || info.Timestamp == "" {
		t.Fatalf("Read: %+v, %v", info, err)
	}
	// The token, taken out of the signature, verifies with openssl ts
	// against the signature value it covers.
	blobs, _ := machoSignature(signed)
	p7, err := pkcs7.Parse(blobs[slotSignature][8:])
	if err != nil {
		t.Fatal(err)
	}
	si := p7.Signers[0]
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "token.der"), si.UnauthenticatedAttributes[0].Value.Bytes)
	writeFile(t, filepath.Join(dir, "signature"), si.EncryptedDigest)
	writeFile(t, filepath.Join(dir, "tsa.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.TSACert.Raw}))
	out, err := exec.Command("openssl", "ts", "-verify", "-token_in", "-in", filepath.Join(dir, "token.der"),
		"-data", filepath.Join(dir, "signature"), "-CAfile", filepath.Join(dir, "tsa.pem")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Errorf("openssl ts -verify: %v\n%s", err, out)
	}
	// And the code signature still verifies.
	path := filepath.Join(dir, "tiny")
	writeFile(t, path, signed)
	if _, err := verify(t, c.RootCA, path); err != nil {
		t.Error(err)
	}
	// A server that does not answer stops the signing.
	if _, err := SignExecutable(context.Background(), testexe.Darwin(t, "arm64"), Options{Identity: identity(t, c), Identifier: "x",
		Timestamper: &Timestamper{URL: srv.URL + "/nowhere", HTTP: srv.Client()}}); err == nil || !strings.Contains(err.Error(), "timestamp:") {
		t.Errorf("no time-stamping server: %v", err)
	}
}
