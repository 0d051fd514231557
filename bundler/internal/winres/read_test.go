package winres

import (
	"os"
	"strings"
	"testing"
)

func TestReadWithoutResources(t *testing.T) {
	f, err := os.Open(buildExe(t, "amd64", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if res.IconSizes != nil || res.Manifest != "" || res.Version != nil {
		t.Errorf("resources of a plain Go executable: %+v", res)
	}
}

func TestReadNotPE(t *testing.T) {
	if _, err := Read(strings.NewReader("#!/bin/sh\necho hello\n")); err == nil || !strings.HasPrefix(err.Error(), "winres: ") {
		t.Errorf("Read of a shell script: %v", err)
	}
}

// Some tools pad the resource data with zeros after VS_VERSIONINFO.
func TestParseVersionInfoPadded(t *testing.T) {
	in := versionCases[0]
	p, err := parseVersionInfo(append(in.in.Bytes(), make([]byte, 12)...))
	if err != nil || p.Lookup("Comments") != in.in.Strings.Comments {
		t.Errorf("version resource with trailing zero padding: %v %+v", err, p)
	}
}

// FuzzParseVersionInfo checks that no input makes the parser behind
// `bundle inspect` panic; the seeds run with every go test.
func FuzzParseVersionInfo(f *testing.F) {
	for _, tc := range versionCases {
		b := tc.in.Bytes()
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{6, 0, 0, 0, 0, 0})
	f.Add(append(versionCases[1].in.Bytes(), make([]byte, 16)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseVersionInfo(b)
	})
}
