package bundler_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/msixtest"
	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestWindowsSigned signs the exe, the NSIS installer (and the uninstaller
// inside it, through `bundle sign-file`), the MSI and the MSIX package
// (whose Publisher is then the certificate's subject) with a certificate
// made in the test: osslsigncode verify passes for each, the exe in the
// zip is the signed one, the password never appears in what the build
// reports, and with a fixed time two builds sign the exe and both
// installers identically.
func TestWindowsSigned(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "osslsigncode openssl nsis wixl", "osslsigncode", "openssl", "makensis", "wixl")
	const pass = "hunter2-but-longer"
	dir := testfs.HelloWith(t, "[zip, nsis, msi, msix]", "")
	cert, err := testcert.Write(t.TempDir(), pass, time.Unix(1767225600, 0))
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := os.ReadFile(cert.PFX)
	if err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, filepath.Join(dir, "keys", "codesign.pfx"), string(pfx))
	env := setSecret(t, pass)
	appendConfig(t, dir, "sign:\n  windows:\n    pfx_file: keys/codesign.pfx\n    password_env: "+env+"\n")

	windows := func() buildtest.Built {
		return buildtest.Build(context.Background(), t, bundler.BuildOptions{
			Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(), Targets: []string{"windows/amd64"},
		})

	}
	signed := func() string {
		t.Helper()
		b := windows()
		if b.Err != nil {
			t.Fatal(b.Err)
		}
		if strings.Contains(b.Log(), pass) {
			t.Error("the PFX password appears in the build's events")
		}
		return b.Dist
	}
	verify := func(path string) {
		t.Helper()
		out, err := exec.Command("osslsigncode", "verify", "-CAfile", cert.CertPEM, "-in", path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Signature verification: ok") {
			t.Errorf("osslsigncode verify %s: %v\n%s", filepath.Base(path), err, out)
		}
	}
	first, second := signed(), signed()
	m, err := bundler.ReadManifest(first)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][2][]byte{}
	for _, a := range m.Artifacts {
		p := filepath.Join(first, a.Path)
		switch a.Format {
		case "zip":
			verify(testfs.ExtractAll(t, p, filepath.Join(t.TempDir(), "x")))
		case "msix":
			verify(p)
			// osslsigncode rewrites [Content_Types].xml: the package must
			// still be a sound ZIP, and its block map true.
			testfs.MustRun(t, first, "unzip", "-t", a.Path)
			if err := msixtest.CheckBlockMap(p); err != nil {
				t.Error(err)
			}
			x := t.TempDir()
			testfs.MustRun(t, x, "unzip", "-q", p, "AppxManifest.xml")
			if m, _ := os.ReadFile(filepath.Join(x, "AppxManifest.xml")); !strings.Contains(string(m), `Publisher="CN=Bundle Test Code Signing, O=Bundle Tests"`) {
				t.Errorf("the signed MSIX's Publisher is not the certificate's subject:\n%s", m)
			}
		case "nsis", "msi":
			verify(p)
			if a.Format == "nsis" {
				// The uninstaller inside the installer is signed too.
				testtool.Need(t, "7zip", "7zz")
				x := t.TempDir()
				testfs.MustRun(t, x, "7zz", "x", "-y", p)
				un, _ := filepath.Glob(filepath.Join(x, "*", "uninstall.exe"))
				if more, _ := filepath.Glob(filepath.Join(x, "uninstall.exe")); len(more) > 0 {
					un = append(un, more...)
				}
				if len(un) == 0 {
					out, _ := exec.Command("7zz", "l", p).CombinedOutput()
					t.Fatalf("no uninstall.exe in the installer:\n%s", out)
				}
				verify(un[0])
			}
		default:
			continue
		}
		a1, _ := os.ReadFile(p)
		a2, _ := os.ReadFile(filepath.Join(second, a.Path))
		files[a.Format] = [2][]byte{a1, a2}
	}
	for _, f := range []string{"zip", "nsis", "msi", "msix"} {
		if pair, ok := files[f]; !ok || !bytes.Equal(pair[0], pair[1]) {
			t.Errorf("%s: two signed builds differ (or it is missing)", f)
		}
	}

	// A wrong password is a one-line configuration error naming the
	// variable, and no artifact reaches dist.
	if err := os.Setenv(env, "wrong-password"); err != nil {
		t.Fatal(err)
	}
	bad := windows()
	if bad.Err == nil || bundler.ExitCode(bad.Err) != bundler.ExitUsage || !strings.Contains(bad.Err.Error(), env) || strings.Contains(bad.Err.Error(), "\n") {
		t.Errorf("wrong password: exit code %d, error %v; want %d and one line naming $%s", bundler.ExitCode(bad.Err), bad.Err, bundler.ExitUsage, env)
	}
	emptyDir(t, bad.Dist)
}
