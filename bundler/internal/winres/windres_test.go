package winres

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testtool"
)

// TestVersionInfoMatchesWindres compiles every versionCases entry with
// binutils windres (as resources 1..n of one .rc), links the result into a
// Go executable and checks each RT_VERSION resource, extracted with
// wrestool, is byte for byte what Bytes returns.
func TestVersionInfoMatchesWindres(t *testing.T) {
	const windres = "x86_64-w64-mingw32-windres"
	testtool.Need(t, "binutils-mingw-w64-x86-64 icoutils", windres, "wrestool")

	var rc strings.Builder
	for i, tc := range versionCases {
		writeRC(&rc, i+1, tc.in)
	}
	dir := t.TempDir()
	rcFile, syso := filepath.Join(dir, "version.rc"), filepath.Join(dir, "version.syso")
	if err := os.WriteFile(rcFile, []byte(rc.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// --preprocessor=cat: the .rc needs no preprocessing, and the default
	// (mingw gcc) is not part of binutils; -c 65001: the .rc is UTF-8.
	if out, err := exec.Command(windres, "--preprocessor=cat", "-c", "65001", "-i", rcFile, "-O", "coff", "-o", syso).CombinedOutput(); err != nil {
		t.Fatalf("windres: %v\n%s\n%s", err, out, rc.String())
	}
	object, err := os.ReadFile(syso)
	if err != nil {
		t.Fatal(err)
	}
	exe := buildExe(t, "amd64", object)
	readFirstVersion(t, exe)

	for i, tc := range versionCases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.in.Bytes()
			want := run(t, "wrestool", "-x", "--raw", "--type=16", "--name="+strconv.Itoa(i+1), exe)
			if !bytes.Equal(got, want) {
				t.Errorf("Bytes() differs from windres (%d vs %d bytes)\n got % x\nwant % x", len(got), len(want), got, want)
			}
		})
	}
}

// readFirstVersion checks that Read, given resources another tool made,
// finds the first version resource.
func readFirstVersion(t *testing.T, exe string) {
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := parseVersionInfo(versionCases[0].in.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Version, want) {
		t.Errorf("Read of the windres resources:\n got %+v\nwant %+v", res.Version, want)
	}
}

// writeRC writes v as the VERSIONINFO resource id in .rc syntax.
func writeRC(w *strings.Builder, id int, v VersionInfo) {
	flags := 0
	if v.Prerelease {
		flags = 2
	}
	version := func(p [4]uint16) string { return fmt.Sprintf("%d,%d,%d,%d", p[0], p[1], p[2], p[3]) }
	fmt.Fprintf(w, "%d VERSIONINFO\nFILEVERSION %s\nPRODUCTVERSION %s\n", id, version(v.FileVersion), version(v.ProductVersion))
	fmt.Fprintf(w, "FILEFLAGSMASK 0x3F\nFILEFLAGS %#x\nFILEOS 0x40004\nFILETYPE 0x1\nFILESUBTYPE 0x0\n", flags)
	w.WriteString("BEGIN\n  BLOCK \"StringFileInfo\"\n  BEGIN\n    BLOCK \"040904b0\"\n    BEGIN\n")
	for _, kv := range v.Strings.pairs() {
		if kv[1] != "" {
			fmt.Fprintf(w, "      VALUE \"%s\", \"%s\"\n", kv[0], strings.ReplaceAll(kv[1], `"`, `""`))
		}
	}
	w.WriteString("    END\n  END\n  BLOCK \"VarFileInfo\"\n  BEGIN\n    VALUE \"Translation\", 0x409, 1200\n  END\nEND\n\n")
}
