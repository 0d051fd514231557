package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testtool"
)

const epoch = "SOURCE_DATE_EPOCH=1767225600"

// TestBuildExampleHello is what `make demo` does: six targets of
// examples/hello into dist, checked the way a user would check a release.
func TestBuildExampleHello(t *testing.T) {
	t.Parallel()
	dist, r := helloBuild(t)
	m := readManifest(t, dist)
	var archives []bundler.Artifact
	for _, a := range m.Artifacts {
		if a.Format == "tar.gz" || a.Format == "zip" {
			archives = append(archives, a)
		}
	}
	if m.Name != "Hello" || m.Version != "1.0.0" || len(archives) != 6 {
		t.Fatalf("manifest: %+v", m)
	}
	testtool.Need(t, "coreutils", "sha256sum")
	cmd := exec.Command("sha256sum", "-c", "checksums.txt")
	cmd.Dir = dist
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	for _, a := range archives {
		t.Run(a.Path, func(t *testing.T) {
			exe, mode := extractExe(t, filepath.Join(dist, a.Path), a.Format)
			if mode&0o111 == 0 {
				t.Errorf("executable mode %o has no x bit", mode)
			}
			if got := binaryTarget(t, exe); got != a.OS+"/"+a.Arch {
				t.Errorf("binary is %s, artifact says %s/%s", got, a.OS, a.Arch)
			}
			if a.OS+"/"+a.Arch == hostTarget() {
				p := filepath.Join(t.TempDir(), "hello")
				if err := os.WriteFile(p, exe, 0o755); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(p, "--version").Output()
				if err != nil || !strings.HasPrefix(string(out), "hello 1.0.0 ") {
					t.Errorf("hello --version = %q, %v; want the version set by build.version_var", out, err)
				}
			}
		})
	}
	if !strings.Contains(r.stdout, "✓ linux/amd64") || !strings.Contains(r.stdout, fmt.Sprintf("%d artifacts", len(m.Artifacts))) {
		t.Errorf("progress output:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("colour codes written to a pipe:\n%q", r.stdout)
	}
}

// TestReproducible builds the same commit again, from another folder and
// with another --parallel, and compares it with helloBuild.
func TestReproducible(t *testing.T) {
	t.Parallel()
	a, _ := helloBuild(t)
	dir := copyProject(t, "examples/hello")
	b := filepath.Join(t.TempDir(), "b")
	if r := runBundle(t, dir, []string{epoch}, "build", "--dist", b, "--parallel", "1"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// Every artifact, the MSI included, is the same bytes.
	reproducible := func(dist string) string {
		data, _ := os.ReadFile(filepath.Join(dist, bundler.ChecksumsName))
		return string(data)
	}
	ca, cb := reproducible(a), reproducible(b)
	if len(ca) < 100 || ca != cb {
		t.Fatalf("checksums differ:\n%s\n%s", ca, cb)
	}
}

func TestJSONOutput(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, "testdata/project")
	copyFile(t, filepath.Join(repoRoot(t), "testdata/config/good/full.yaml"), filepath.Join(dir, "bundle.yaml"))
	r := runBundle(t, dir, []string{epoch}, "build", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var m bundler.Manifest
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	onDisk, _ := os.ReadFile(filepath.Join(dir, "dist", bundler.ManifestName))
	if r.stdout != string(onDisk) {
		t.Errorf("--json output differs from dist/artifacts.json")
	}
	if len(m.Artifacts) != 3 || !strings.Contains(r.stderr, "✓ linux/amd64") { // tar.gz, zip, SBOM
		t.Errorf("artifacts %v; progress on stderr:\n%s", m.Artifacts, r.stderr)
	}

	bad := runBundle(t, dir, nil, "build", "--json", "--version", "x")
	var e struct {
		Error    string `json:"error"`
		ExitCode int    `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(bad.stdout), &e); err != nil || e.ExitCode != 2 || !strings.Contains(e.Error, "--version") {
		t.Errorf("--json error = %q (%v)", bad.stdout, err)
	}
}

// TestDistOfSameVersion rebuilds one target into a dist that holds a whole
// build of the same version: the other artifacts are kept and listed.
func TestDistOfSameVersion(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, "testdata/project")
	copyFile(t, filepath.Join(repoRoot(t), "testdata/config/good/full.yaml"), filepath.Join(dir, "bundle.yaml"))
	if r := runBundle(t, dir, []string{epoch}, "build"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	first := readManifest(t, filepath.Join(dir, "dist"))
	if r := runBundle(t, dir, []string{epoch}, "build", "--format", "zip"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	second := readManifest(t, filepath.Join(dir, "dist"))
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Errorf("manifest changed:\n%v\n%v", first, second)
	}
	if r := runBundle(t, dir, []string{epoch}, "build", "--version", "1.1.0"); r.code != 2 || !strings.Contains(r.stderr, "pass --clean") {
		t.Errorf("another version into the same dist: exit %d %s", r.code, r.stderr)
	}
	if r := runBundle(t, dir, []string{epoch}, "build", "--version", "1.1.0", "--clean"); r.code != 0 {
		t.Fatalf("--clean: exit %d %s", r.code, r.stderr)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "dist"))
	for _, e := range entries {
		if strings.Contains(e.Name(), "1.0.0") {
			t.Errorf("--clean left %s", e.Name())
		}
	}
}

func TestCompileErrorExit1(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, "testdata/project")
	copyFile(t, filepath.Join(repoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	writeFile(t, filepath.Join(dir, "broken.go"), "package main\n\nfunc broken() { undefinedThing() }\n")
	r := runBundle(t, dir, []string{epoch}, "build", "--version", "1.0.0")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "compile linux/amd64") || !strings.Contains(r.stderr, "undefined: undefinedThing") {
		t.Errorf("stderr does not show the compiler's output:\n%s", r.stderr)
	}
	if m, _ := bundler.ReadManifest(filepath.Join(dir, "dist")); m != nil {
		t.Error("a failed build wrote artifacts.json")
	}
}

func TestMissingGoExit3(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, "testdata/project")
	copyFile(t, filepath.Join(repoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	r := runBundle(t, dir, []string{"PATH=" + t.TempDir()}, "build", "--version", "1.0.0")
	if r.code != 3 || !strings.Contains(r.stderr, "is Go installed and on PATH") {
		t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
	}
}

func readManifest(t *testing.T, dist string) bundler.Manifest {
	t.Helper()
	m, err := bundler.ReadManifest(dist)
	if err != nil || m == nil {
		t.Fatalf("read manifest in %s: %v", dist, err)
	}
	return *m
}

// extractExe returns the executable inside an archive and its mode.
func extractExe(t *testing.T, path, format string) ([]byte, os.FileMode) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	switch format {
	case "tar.gz":
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err != nil {
				t.Fatalf("no executable in %s: %v", path, err)
			}
			if h.Typeflag == tar.TypeReg && h.Mode&0o111 != 0 {
				if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
					t.Errorf("%s: owner %d:%d %q:%q, want root without names", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
				}
				data, err := io.ReadAll(tr)
				if err != nil {
					t.Fatal(err)
				}
				return data, os.FileMode(h.Mode)
			}
		}
	case "zip":
		info, _ := f.Stat()
		zr, err := zip.NewReader(f, info.Size())
		if err != nil {
			t.Fatal(err)
		}
		for _, zf := range zr.File {
			if strings.HasSuffix(zf.Name, ".exe") {
				rc, err := zf.Open()
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				data, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				return data, zf.Mode()
			}
		}
	}
	t.Fatalf("no executable in %s", path)
	return nil, 0
}

// binaryTarget reads GOOS/GOARCH from an executable's headers.
func binaryTarget(t *testing.T, data []byte) string {
	t.Helper()
	r := bytes.NewReader(data)
	if f, err := elf.NewFile(r); err == nil {
		arch := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_386: "386"}[f.Machine]
		return "linux/" + arch
	}
	if f, err := pe.NewFile(r); err == nil {
		arch := map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64", pe.IMAGE_FILE_MACHINE_I386: "386"}[f.Machine]
		return "windows/" + arch
	}
	if f, err := macho.NewFile(r); err == nil {
		arch := map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]
		return "darwin/" + arch
	}
	return "unknown"
}

// TestSBOMPerTarget: each target gets <stem>.cdx.json, listed in the
// manifest and the checksums, naming the module and the Go toolchain.
func TestSBOMPerTarget(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, "testdata/project")
	copyFile(t, filepath.Join(repoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	r := runBundle(t, dir, []string{epoch}, "build", "--version", "1.0.0")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var found bool
	for _, a := range readManifest(t, filepath.Join(dir, "dist")).Artifacts {
		if a.Format != "sbom" {
			continue
		}
		found = true
		data, _ := os.ReadFile(filepath.Join(dir, "dist", a.Path))
		var bom struct {
			BOMFormat   string `json:"bomFormat"`
			SpecVersion string `json:"specVersion"`
			Components  []struct{ Name string }
		}
		if err := json.Unmarshal(data, &bom); err != nil || bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.5" {
			t.Fatalf("%s: %v %+v", a.Path, err, bom)
		}
		var names []string
		for _, c := range bom.Components {
			names = append(names, c.Name)
		}
		if a.Path != "fixture_1.0.0_linux_amd64.cdx.json" || !strings.Contains(strings.Join(names, " "), "example.com/fixture") || !strings.Contains(strings.Join(names, " "), "std") {
			t.Errorf("%s components %v", a.Path, names)
		}
	}
	if !found {
		t.Fatal("no SBOM in the manifest")
	}
	if r := runBundle(t, dir, []string{epoch}, "build", "--version", "1.0.0", "--format", "sbom"); r.code != 2 {
		t.Errorf("--format sbom alone: exit %d %s", r.code, r.stderr)
	}
}
