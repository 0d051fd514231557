package authenticode

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testexe"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/internal/testtool"
)

// signTime is the fixed signing time of the tests: SOURCE_DATE_EPOCH of
// the CLI tests, 2026-01-01. The test certificate is valid around it.
var signTime = time.Unix(1767225600, 0).UTC()

const password = "correct horse & battery $taple"

// testCert is a self-signed code-signing certificate in a PFX file.
type testCert struct {
	dir, pfx, certPEM string
}

var certOnce struct {
	sync.Once
	c   testCert
	err string
}

// makeCert writes a self-signed code-signing certificate valid from a day
// before signTime for ten years, its key, and a PFX holding both
// encrypted with password (PKCS#12 through openssl pkcs12 -export). It is
// made once per test binary.
func makeCert(t *testing.T) testCert {
	t.Helper()
	testtool.Need(t, "openssl osslsigncode", "openssl", "osslsigncode")
	certOnce.Do(func() {
		certOnce.c, certOnce.err = writeCert()
	})
	if certOnce.err != "" {
		t.Fatal(certOnce.err)
	}
	return certOnce.c
}

func writeCert() (testCert, string) {
	dir, err := os.MkdirTemp("", "authenticode-test-")
	if err != nil {
		return testCert{}, err.Error()
	}
	c, err := testcert.Write(dir, password, signTime)
	if err != nil {
		return testCert{}, err.Error()
	}
	return testCert{dir: dir, pfx: c.PFX, certPEM: c.CertPEM}, ""
}

func TestMain(m *testing.M) {
	code := m.Run()
	if certOnce.c.dir != "" {
		os.RemoveAll(certOnce.c.dir)
	}
	os.Exit(code)
}

// windowsExe returns a copy of a tiny Go program built for windows/amd64.
func windowsExe(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tiny.exe")
	if err := os.WriteFile(p, testexe.Windows(t), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// tinyMSI builds a per-user MSI holding exe with wixl.
func tinyMSI(t *testing.T, exe string) string {
	t.Helper()
	testtool.Need(t, "wixl", "wixl")
	dir := t.TempDir()
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tiny.exe"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	wxs := `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="0B5D3E9C-7F0A-5E21-8C44-3A6D2B1F9E70" Name="Tiny" Language="1033" Version="1.0.0"
           Manufacturer="Bundle Tests" UpgradeCode="0B5D3E9C-7F0A-5E21-8C44-3A6D2B1F9E71">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perUser"/>
    <MediaTemplate EmbedCab="yes"/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="LocalAppDataFolder">
        <Directory Id="INSTALLDIR" Name="Tiny">
          <Component Id="Exe" Guid="0B5D3E9C-7F0A-5E21-8C44-3A6D2B1F9E72" Win64="yes">
            <File Id="TinyExe" Name="tiny.exe" Source="tiny.exe"/>
            <RegistryValue Root="HKCU" Key="Software\Bundle Tests\Tiny" Name="Exe" Type="integer" Value="1" KeyPath="yes"/>
            <RemoveFolder Id="RemoveInstallDir" On="uninstall"/>
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Main" Level="1"><ComponentRef Id="Exe"/></Feature>
  </Product>
</Wix>
`
	if err := os.WriteFile(filepath.Join(dir, "tiny.wxs"), []byte(wxs), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("wixl", "-a", "x64", "-o", "tiny.msi", "tiny.wxs")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wixl: %v\n%s", err, out)
	}
	return filepath.Join(dir, "tiny.msi")
}

// otherCert writes a self-signed certificate that signed nothing.
func otherCert(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Someone Else"},
		NotBefore: signTime.Add(-24 * time.Hour), NotAfter: signTime.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func signer(c testCert, pass string) *Signer {
	tm := signTime
	return &Signer{PFX: c.pfx, Password: pass, PasswordEnv: "TEST_PFX_PASSWORD", Description: "Tiny", URL: "https://example.com/tiny", Time: &tm}
}

func TestSignAndVerify(t *testing.T) {
	c := makeCert(t)
	exe := windowsExe(t)
	files := map[string]string{"exe": exe}
	if testtool.Have(t, "wixl", "wixl") {
		files["msi"] = tinyMSI(t, exe)
	}
	ctx := context.Background()
	for kind, p := range files {
		t.Run(kind, func(t *testing.T) {
			if err := Verify(ctx, p, c.certPEM); err == nil {
				t.Fatal("Verify accepted an unsigned file")
			} else if strings.Contains(err.Error(), "\n") {
				t.Errorf("Verify's error is not one line: %q", err)
			}
			before, _ := os.Stat(p)
			if err := signer(c, password).Sign(ctx, p); err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if err := Verify(ctx, p, c.certPEM); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			after, _ := os.Stat(p)
			if after.Mode().Perm() != before.Mode().Perm() {
				t.Errorf("mode %v after signing, want %v", after.Mode().Perm(), before.Mode().Perm())
			}
			if entries, _ := os.ReadDir(filepath.Dir(p)); slices.ContainsFunc(entries, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), ".sign-") }) {
				t.Errorf("a temporary folder is left beside %s", p)
			}
			out, _ := exec.Command("osslsigncode", "verify", "-CAfile", c.certPEM, "-in", p).CombinedOutput()
			for _, want := range []string{"Text description: Tiny", "URL description: https://example.com/tiny", "Signing time: Jan  1 00:00:00 2026 GMT"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("osslsigncode verify does not show %q:\n%s", want, out)
				}
			}
			if bytes.Contains(out, []byte(password)) {
				t.Error("the password appears in the signed file's details")
			}
			// Another certificate does not vouch for it.
			if err := Verify(ctx, p, otherCert(t)); err == nil {
				t.Error("Verify accepted the signature with an unrelated CA file")
			}
		})
	}
}

// TestReproducible: with a fixed time, signing the same file twice gives the
// same bytes; another time gives other bytes.
func TestReproducible(t *testing.T) {
	c := makeCert(t)
	ctx := context.Background()
	sign := func(tm time.Time) []byte {
		p := windowsExe(t)
		s := signer(c, password)
		s.Time = &tm
		if err := s.Sign(ctx, p); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a, b := sign(signTime), sign(signTime)
	if !bytes.Equal(a, b) {
		t.Error("two signatures with the same time differ")
	}
	if bytes.Equal(a, sign(signTime.Add(time.Hour))) {
		t.Error("signatures with different times are the same")
	}
}

// TestWrongPassword: one line naming the variable and the file, exit 2, the
// password in no message, the file untouched and nothing left beside it.
func TestWrongPassword(t *testing.T) {
	c := makeCert(t)
	exe := windowsExe(t)
	orig, _ := os.ReadFile(exe)
	const wrong = "not-the-password-42"
	err := signer(c, wrong).Sign(context.Background(), exe)
	if err == nil {
		t.Fatal("signed with a wrong password")
	}
	want := "sign.windows: the PFX password in $TEST_PFX_PASSWORD does not open codesign.pfx"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if exitcode.Of(err) != exitcode.Usage {
		t.Errorf("exit code %d, want %d", exitcode.Of(err), exitcode.Usage)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), password) {
		t.Error("the error shows a password")
	}
	if now, _ := os.ReadFile(exe); !bytes.Equal(now, orig) {
		t.Error("the file changed")
	}
	entries, _ := os.ReadDir(filepath.Dir(exe))
	if len(entries) != 1 {
		t.Errorf("files beside the exe after a failed signing: %v", entries)
	}

	// No password for an encrypted PFX.
	s := signer(c, "")
	s.PasswordEnv = ""
	err = s.Sign(context.Background(), exe)
	if err == nil || !strings.Contains(err.Error(), "set sign.windows.password_env") || exitcode.Of(err) != exitcode.Usage {
		t.Errorf("no password: %v", err)
	}
}

// TestPasswordNotOnCommandLine runs Sign against a stand-in osslsigncode
// that records its arguments, its environment and the password file it was
// given: a pipe it inherited, never a file on disk.
func TestPasswordNotOnCommandLine(t *testing.T) {
	bin := t.TempDir()
	record := filepath.Join(t.TempDir(), "record")
	script := `#!/bin/sh
rec="` + record + `"
printf '%s\n' "$@" > "$rec.args"
env > "$rec.env"
while [ $# -gt 0 ]; do
  case "$1" in
    -readpass) stat -L -c %F "$2" > "$rec.kind"; cat "$2" > "$rec.pass"; echo "$2" > "$rec.path"; shift;;
    -out) cp /dev/null "$2"; shift;;
  esac
  shift
done
echo Succeeded
`
	if err := os.WriteFile(filepath.Join(bin, "osslsigncode"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("X", password)
	ctx := proc.WithSecrets(context.Background(), "X")
	target := filepath.Join(t.TempDir(), "app.exe")
	os.WriteFile(target, []byte("MZ"), 0o755)
	pfx := filepath.Join(t.TempDir(), "c.pfx")
	os.WriteFile(pfx, []byte("not read by the stand-in"), 0o600)
	tm := signTime
	s := &Signer{PFX: pfx, Password: password, PasswordEnv: "X", TimestampURL: "http://timestamp.example.com", Description: "App", Time: &tm}
	if err := s.Sign(ctx, target); err != nil {
		t.Fatal(err)
	}
	read := func(suffix string) string {
		data, err := os.ReadFile(record + suffix)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(data))
	}
	args := strings.Split(read(".args"), "\n")
	if strings.Contains(strings.Join(args, " "), password) {
		t.Errorf("the password is on the command line: %q", args)
	}
	for _, want := range [][]string{{"-pkcs12", pfx}, {"-h", "sha256"}, {"-n", "App"}, {"-ts", "http://timestamp.example.com"}, {"-time", "1767225600"}, {"-in", target}} {
		i := slices.Index(args, want[0])
		if i < 0 || i+1 >= len(args) || args[i+1] != want[1] {
			t.Errorf("arguments %q lack %q", args, want)
		}
	}
	if slices.Contains(args, "-pass") {
		t.Error("-pass is used")
	}
	if got := read(".pass"); got != password {
		t.Errorf("password file holds %q", got)
	}
	if got := read(".kind"); got != "fifo" {
		t.Errorf("the password came through a %s (%s), want a pipe", got, read(".path"))
	}
	if strings.Contains(read(".env"), password) {
		t.Error("the password is in osslsigncode's environment")
	}
	if info, err := os.Stat(target); err != nil || info.Size() != 0 || info.Mode().Perm() != 0o755 {
		t.Errorf("the signed copy did not replace the file with its mode: %v %v", info, err)
	}
}

func TestFromConfig(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "keys"), 0o755)
	os.WriteFile(filepath.Join(dir, "keys", "codesign.pfx"), []byte("x"), 0o600)

	s, err := FromConfig(dir, nil, "App", "", os.LookupEnv)
	if s != nil || err != nil {
		t.Errorf("nil config: %v %v", s, err)
	}

	t.Setenv("TEST_PFX_PASSWORD", password)
	c := &config.WindowsSign{PFXFile: "keys/codesign.pfx", PasswordEnv: "TEST_PFX_PASSWORD", TimestampURL: "http://ts.example.com"}
	s, err = FromConfig(dir, c, "App", "https://example.com", os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := Signer{PFX: filepath.Join(dir, "keys", "codesign.pfx"), Password: password, PasswordEnv: "TEST_PFX_PASSWORD",
		TimestampURL: "http://ts.example.com", Description: "App", URL: "https://example.com"}
	if *s != want {
		t.Errorf("got %+v\nwant %+v", *s, want)
	}

	for _, tc := range []struct {
		c    config.WindowsSign
		env  map[string]string
		want string
	}{
		{config.WindowsSign{PFXFile: "keys/missing.pfx"}, nil, "sign.windows.pfx_file: keys/missing.pfx does not exist; fix the path (relative to bundle.yaml)"},
		{config.WindowsSign{PFXFile: "keys"}, nil, "sign.windows.pfx_file: keys is a folder, not a .pfx file"},
		{config.WindowsSign{PFXFile: "keys/codesign.pfx", PasswordEnv: "TEST_PFX_UNSET"}, nil, "sign.windows.password_env: $TEST_PFX_UNSET is not set; export it with the PFX password"},
		{config.WindowsSign{PFXFile: "keys/codesign.pfx", PasswordEnv: "TEST_PFX_NL"}, map[string]string{"TEST_PFX_NL": password + "\n"}, "sign.windows.password_env: $TEST_PFX_NL holds a line break"},
	} {
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		os.Unsetenv("TEST_PFX_UNSET")
		_, err := FromConfig(dir, &tc.c, "App", "", os.LookupEnv)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || exitcode.Of(err) != exitcode.Usage {
			t.Errorf("%+v: got %v, want %q (exit 2)", tc.c, err, tc.want)
		} else if strings.Contains(err.Error(), password) {
			t.Errorf("%+v: the error shows the password", tc.c)
		}
	}
}

func TestVerifyReason(t *testing.T) {
	c := makeCert(t)
	exe := windowsExe(t)
	err := Verify(context.Background(), exe, c.certPEM)
	if err == nil || err.Error() != "tiny.exe: the Authenticode signature does not verify: the file is not signed" {
		t.Errorf("unsigned: %v", err)
	}
	if err := signer(c, password).Sign(context.Background(), exe); err != nil {
		t.Fatal(err)
	}
	err = Verify(context.Background(), exe, otherCert(t))
	if err == nil || !strings.HasSuffix(err.Error(), "does not verify: self-signed certificate") {
		t.Errorf("other CA: %v", err)
	}
}

// TestTrustFile reads the certificates out of the PFX with the password,
// and out of a PFX that has none; the trust file holds the certificate.
func TestTrustFile(t *testing.T) {
	c := makeCert(t)
	dir := t.TempDir()
	open := exec.Command("openssl", "pkcs12", "-in", c.pfx, "-nodes", "-passin", "pass:"+password)
	pemData, err := open.Output()
	if err != nil {
		t.Fatalf("openssl pkcs12: %v", err)
	}
	all, bare := filepath.Join(dir, "all.pem"), filepath.Join(dir, "bare.pfx")
	if err := os.WriteFile(all, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	export := exec.Command("openssl", "pkcs12", "-export", "-in", all, "-out", bare, "-passout", "pass:")
	if out, err := export.CombinedOutput(); err != nil {
		t.Fatalf("openssl pkcs12 -export: %v\n%s", err, out)
	}
	want, _ := os.ReadFile(c.certPEM)
	block, _ := pem.Decode(want)
	for _, s := range []*Signer{signer(c, password), {PFX: bare}} {
		trust, err := s.TrustFile(context.Background(), t.TempDir())
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(s.PFX), err)
			continue
		}
		data, _ := os.ReadFile(trust)
		if !bytes.Contains(data, pem.EncodeToMemory(block)) {
			t.Errorf("%s: the trust file lacks the certificate", filepath.Base(s.PFX))
		}
	}
	if _, err := signer(c, "wrong").TrustFile(context.Background(), t.TempDir()); err == nil || exitcode.Of(err) != exitcode.Usage {
		t.Errorf("wrong password: %v", err)
	}
}
