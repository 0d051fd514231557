package macho

import (
	"bytes"
	"debug/macho"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bundlekit/bundle/internal/testtool"
)

// darwin holds the thin executables every test uses, built once.
var darwin struct {
	once         sync.Once
	amd64, arm64 []byte
	err          error
}

// thinBinaries cross-compiles a tiny program for darwin/amd64 and
// darwin/arm64 the way bundle builds release binaries (-trimpath, stripped,
// no build ID) and returns both executables.
func thinBinaries(t *testing.T) (amd64, arm64 []byte) {
	t.Helper()
	darwin.once.Do(func() {
		dir, err := os.MkdirTemp("", "macho-test-")
		if err != nil {
			darwin.err = err
			return
		}
		defer os.RemoveAll(dir)
		files := map[string]string{
			"go.mod":  "module example.com/hello\n\ngo 1.22\n",
			"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				darwin.err = err
				return
			}
		}
		var wg sync.WaitGroup
		out := map[string]*[]byte{"amd64": &darwin.amd64, "arm64": &darwin.arm64}
		errs := make(chan error, len(out))
		for arch, dst := range out {
			wg.Go(func() {
				exe := filepath.Join(dir, "hello-"+arch)
				cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", exe, ".")
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOOS=darwin", "GOARCH="+arch, "CGO_ENABLED=0",
					"GOWORK=off", "GOFLAGS=", "GOTOOLCHAIN=local")
				if b, err := cmd.CombinedOutput(); err != nil {
					errs <- errors.New("go build darwin/" + arch + ": " + err.Error() + "\n" + string(b))
					return
				}
				data, err := os.ReadFile(exe)
				if err != nil {
					errs <- err
					return
				}
				*dst = data
			})
		}
		wg.Wait()
		close(errs)
		darwin.err = <-errs
	})
	if darwin.err != nil {
		t.Fatal(darwin.err)
	}
	return darwin.amd64, darwin.arm64
}

// merge runs Universal and returns its output.
func merge(t *testing.T, slices ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Universal(&buf, slices...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// requireLipo returns llvm-lipo's path, skipping the test when it is not
// installed and failing on CI, where it must be.
func requireLipo(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"llvm-lipo", "llvm-lipo-14"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testtool.Missing(t, "llvm-lipo is missing: apt-get install llvm")
	return ""
}

func TestUniversalLayout(t *testing.T) {
	amd64, arm64 := thinBinaries(t)
	fat := merge(t, amd64, arm64)

	ff, err := macho.NewFatFile(bytes.NewReader(fat))
	if err != nil {
		t.Fatalf("debug/macho cannot read the result: %v", err)
	}
	if ff.Magic != fatMagic || len(ff.Arches) != 2 {
		t.Fatalf("magic %#x, %d arches; want 0xcafebabe, 2", ff.Magic, len(ff.Arches))
	}
	want := []struct {
		cpu   macho.Cpu
		align uint32
		data  []byte
	}{{macho.CpuAmd64, 12, amd64}, {macho.CpuArm64, 14, arm64}}
	for i, w := range want {
		a := ff.Arches[i]
		if a.Cpu != w.cpu || a.Align != w.align {
			t.Errorf("arch %d: cpu %v align %d; want %v align %d", i, a.Cpu, a.Align, w.cpu, w.align)
		}
		if a.Offset%(1<<w.align) != 0 {
			t.Errorf("arch %d (%v): offset %d is not a multiple of 2^%d", i, a.Cpu, a.Offset, w.align)
		}
		if a.Type != macho.TypeExec {
			t.Errorf("arch %d: type %v, want executable", i, a.Type)
		}
		if !bytes.Equal(fat[a.Offset:a.Offset+a.Size], w.data) {
			t.Errorf("arch %d (%v): slice differs from its thin input", i, a.Cpu)
		}
	}
	if end := int(ff.Arches[1].Offset + ff.Arches[1].Size); end != len(fat) {
		t.Errorf("file is %d bytes, last slice ends at %d", len(fat), end)
	}
	ff.Close()

	// Slices reads back exactly what went in.
	got, err := Slices(bytes.NewReader(fat))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Slices: %d slices, want 2", len(got))
	}
	for i, s := range got {
		a := ff.Arches[i]
		wantCPU := []string{"amd64", "arm64"}[i]
		if s.CPU != wantCPU || s.Offset != uint64(a.Offset) || s.Size != uint64(a.Size) || s.Align != a.Align {
			t.Errorf("Slices[%d] = %s off %d size %d align %d; want %s off %d size %d align %d",
				i, s.CPU, s.Offset, s.Size, s.Align, wantCPU, a.Offset, a.Size, a.Align)
		}
		if !bytes.Equal(s.Data, want[i].data) {
			t.Errorf("Slices[%d] (%s): data differs from the thin input", i, s.CPU)
		}
	}
}

func TestUniversalDeterministic(t *testing.T) {
	amd64, arm64 := thinBinaries(t)
	a := merge(t, amd64, arm64)
	b := merge(t, amd64, arm64)
	c := merge(t, arm64, amd64)
	if !bytes.Equal(a, b) {
		t.Error("two merges of the same inputs differ")
	}
	if !bytes.Equal(a, c) {
		t.Error("the order of the inputs changes the output")
	}
}

func TestUniversalSingleSlice(t *testing.T) {
	_, arm64 := thinBinaries(t)
	fat := merge(t, arm64)
	s, err := Slices(bytes.NewReader(fat))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 1 || s[0].CPU != "arm64" || s[0].Offset != 1<<14 || !bytes.Equal(s[0].Data, arm64) {
		t.Errorf("got %d slices, first %s at %d", len(s), s[0].CPU, s[0].Offset)
	}
}

func TestUniversalMatchesLLVMLipo(t *testing.T) {
	lipo := requireLipo(t)
	amd64, arm64 := thinBinaries(t)
	dir := t.TempDir()
	in := []string{filepath.Join(dir, "hello-amd64"), filepath.Join(dir, "hello-arm64")}
	for i, data := range [][]byte{amd64, arm64} {
		if err := os.WriteFile(in[i], data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ours := filepath.Join(dir, "ours")
	if err := os.WriteFile(ours, merge(t, amd64, arm64), 0o755); err != nil {
		t.Fatal(err)
	}

	info, err := exec.Command(lipo, "-info", ours).CombinedOutput()
	if err != nil {
		t.Fatalf("%s -info: %v\n%s", lipo, err, info)
	}
	if !strings.Contains(string(info), "x86_64 arm64") {
		t.Errorf("%s -info: %q, want it to list x86_64 arm64", lipo, info)
	}

	theirs := filepath.Join(dir, "theirs")
	if b, err := exec.Command(lipo, "-create", "-output", theirs, in[1], in[0]).CombinedOutput(); err != nil {
		t.Fatalf("%s -create: %v\n%s", lipo, err, b)
	}
	a, _ := os.ReadFile(ours)
	b, err := os.ReadFile(theirs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		n := min(len(a), len(b))
		i := 0
		for i < n && a[i] == b[i] {
			i++
		}
		t.Errorf("output differs from %s -create (ours %d bytes, theirs %d, first difference at %d)", lipo, len(a), len(b), i)
	}
}

func TestUniversalErrors(t *testing.T) {
	amd64, arm64 := thinBinaries(t)
	fat := merge(t, amd64, arm64)

	// A Mach-O object file: the arm64 executable with its file type changed.
	object := bytes.Clone(arm64)
	binary.LittleEndian.PutUint32(object[12:], uint32(macho.TypeObj))

	for _, tc := range []struct {
		name   string
		slices [][]byte
		want   string
	}{
		{"none", nil, "no slices"},
		{"duplicate", [][]byte{arm64, amd64, arm64}, "slices 0 and 2 are both arm64"},
		{"not Mach-O", [][]byte{amd64, []byte("#!/bin/sh\necho hi\n")}, "slice 1: not a Mach-O file"},
		{"empty", [][]byte{{}}, "slice 0: not a Mach-O file"},
		{"fat", [][]byte{fat}, "slice 0: is already a universal binary"},
		{"object", [][]byte{object}, "slice 0: not an executable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Universal(&buf, tc.slices...)
			if err == nil || !strings.HasPrefix(err.Error(), "macho: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want \"macho: …%s…\"", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestSlicesErrors(t *testing.T) {
	amd64, arm64 := thinBinaries(t)
	fat := merge(t, amd64, arm64)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"thin", arm64, "not a universal binary"},
		{"short", []byte{0xca, 0xfe}, "reading fat header"},
		{"java class", []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x41, 0, 0}, "implausible"},
		{"truncated", fat[:len(fat)-1], "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Slices(bytes.NewReader(tc.data))
			if err == nil || !strings.HasPrefix(err.Error(), "macho: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want \"macho: …%s…\"", err, tc.want)
			}
		})
	}
}

func TestVerifyCodeSignature(t *testing.T) {
	amd64, arm64 := thinBinaries(t)
	if err := VerifyCodeSignature(arm64); err != nil {
		t.Errorf("thin arm64: %v", err)
	}

	fat := merge(t, amd64, arm64)
	slices, err := Slices(bytes.NewReader(fat))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slices {
		err := VerifyCodeSignature(s.Data)
		switch s.CPU {
		case "arm64":
			if err != nil {
				t.Errorf("arm64 slice of the fat file: %v", err)
			}
		case "amd64":
			if !errors.Is(err, ErrUnsigned) || !strings.Contains(err.Error(), "unsigned") {
				t.Errorf("amd64 slice: err = %v, want it to report unsigned", err)
			}
		}
	}

	// Flip one byte in the second signed page (inside __text).
	bad := bytes.Clone(arm64)
	bad[5000] ^= 0xff
	err = VerifyCodeSignature(bad)
	if err == nil || !strings.Contains(err.Error(), "page 1 ") {
		t.Errorf("after flipping a byte in page 1: err = %v, want a page 1 mismatch", err)
	}

	if err := VerifyCodeSignature(fat); err == nil || !strings.Contains(err.Error(), "universal") {
		t.Errorf("fat input: err = %v, want it refused as a universal binary", err)
	}
	if err := VerifyCodeSignature([]byte("not a binary")); err == nil || !strings.HasPrefix(err.Error(), "macho: ") {
		t.Errorf("garbage input: err = %v", err)
	}
}
