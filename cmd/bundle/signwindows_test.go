package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestWindowsSigned signs the exe, the NSIS installer and the MSI with a
// certificate made in the test: osslsigncode verify passes for each, the
// exe in the zip is the signed one, the password never appears in the
// output, and with a fixed time two builds sign the exe and both
// installers identically.
func TestWindowsSigned(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "osslsigncode openssl nsis wixl", "osslsigncode", "openssl", "makensis", "wixl")
	const pass = "hunter2-but-longer"
	dir := copyProject(t, "examples/hello")
	cert, err := testcert.Write(t.TempDir(), pass, time.Unix(1767225600, 0))
	if err != nil {
		t.Fatal(err)
	}
	pfx, _ := os.ReadFile(cert.PFX)
	writeFile(t, filepath.Join(dir, "keys", "codesign.pfx"), string(pfx))
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	text := string(cfg) // examples/hello makes zip, nsis and msi for windows
	text += "sign:\n  windows:\n    pfx_file: keys/codesign.pfx\n    password_env: TEST_PFX_PASSWORD\n"
	writeFile(t, filepath.Join(dir, "bundle.yaml"), text)

	build := func() string {
		dist := t.TempDir()
		r := runBundle(t, dir, []string{epoch, "TEST_PFX_PASSWORD=" + pass}, "build", "--dist", dist, "--target", "windows/amd64")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, pass) {
			t.Error("the PFX password appears in bundle's output")
		}
		return dist
	}
	verify := func(path string) {
		t.Helper()
		out, err := exec.Command("osslsigncode", "verify", "-CAfile", cert.CertPEM, "-in", path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Signature verification: ok") {
			t.Errorf("osslsigncode verify %s: %v\n%s", filepath.Base(path), err, out)
		}
	}
	first, second := build(), build()
	files := map[string][2][]byte{}
	for _, a := range readManifest(t, first).Artifacts {
		p := filepath.Join(first, a.Path)
		switch a.Format {
		case "zip":
			exe := extractAll(t, p, filepath.Join(t.TempDir(), "x"))
			verify(exe)
		case "nsis", "msi":
			verify(p)
			if a.Format == "nsis" {
				// The uninstaller inside the installer is signed too.
				testtool.Need(t, "7zip", "7zz")
				x := t.TempDir()
				mustRun(t, x, "7zz", "x", "-y", p)
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
	for _, f := range []string{"zip", "nsis", "msi"} {
		if pair, ok := files[f]; !ok || !bytes.Equal(pair[0], pair[1]) {
			t.Errorf("%s: two signed builds differ (or it is missing)", f)
		}
	}

	// A wrong password is a one-line configuration error, and no artifact
	// reaches dist.
	dist := t.TempDir()
	r := runBundle(t, dir, []string{epoch, "TEST_PFX_PASSWORD=wrong-password"}, "build", "--dist", dist, "--target", "windows/amd64")
	if r.code != 2 || !strings.Contains(r.stderr, "TEST_PFX_PASSWORD") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("wrong password: exit %d\n%s", r.code, r.stderr)
	}
	if m, _ := os.ReadDir(dist); len(m) != 0 {
		t.Errorf("dist after a failed signing: %v", m)
	}
}
