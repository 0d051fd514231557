package winres

import (
	"bytes"
	"debug/pe"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/bundlekit/bundle/internal/testtool"
)

// TestSysoEndToEnd links a Syso object into a Go program for each Windows
// architecture and reads the resources back out of the .exe: with Read,
// and with wrestool and exiftool when they are installed.
func TestSysoEndToEnd(t *testing.T) {
	icon := testICO(t)
	manifest, err := Manifest{
		Name: "com.example.hello", Version: "1.2.3.4",
		ExecutionLevel: "highestAvailable", DPIAwareness: "system", CommonControls: true,
	}.Render()
	if err != nil {
		t.Fatal(err)
	}
	info := VersionInfo{
		FileVersion:    [4]uint16{1, 2, 3, 4},
		ProductVersion: [4]uint16{1, 2, 3, 4},
		Prerelease:     true,
		Strings: VersionStrings{
			CompanyName:    "Example Corp",
			ProductName:    "Hello",
			ProductVersion: "1.2.3-rc.4",
		},
	}
	tests := []struct {
		arch    string
		machine uint16
	}{
		{"386", pe.IMAGE_FILE_MACHINE_I386},
		{"amd64", pe.IMAGE_FILE_MACHINE_AMD64},
		{"arm64", pe.IMAGE_FILE_MACHINE_ARM64},
	}
	for _, tc := range tests {
		t.Run(tc.arch, func(t *testing.T) {
			var syso bytes.Buffer
			if err := Syso(&syso, tc.arch, icon, manifest, info.Bytes()); err != nil {
				t.Fatal(err)
			}
			exe := buildExe(t, tc.arch, syso.Bytes())
			f, err := os.Open(exe)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if p, err := pe.NewFile(f); err != nil || p.Machine != tc.machine {
				t.Fatalf("not a PE file for %s: %v", tc.arch, err)
			}
			res, err := Read(f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.IconSizes, []int{16, 32, 256}) {
				t.Errorf("icon sizes %v, want [16 32 256]", res.IconSizes)
			}
			if res.Manifest != string(manifest) {
				t.Errorf("manifest differs:\n%s", res.Manifest)
			}
			for _, want := range []string{`level="highestAvailable"`, ">System</dpiAwareness>", "Microsoft.Windows.Common-Controls"} {
				if !strings.Contains(res.Manifest, want) {
					t.Errorf("manifest lacks %s", want)
				}
			}
			v := res.Version
			if v == nil {
				t.Fatal("no version information")
			}
			if v.FileVersion != info.FileVersion || v.ProductVersion != info.ProductVersion || !v.Prerelease {
				t.Errorf("fixed info %v %v prerelease=%v", v.FileVersion, v.ProductVersion, v.Prerelease)
			}
			if v.Lookup("CompanyName") != "Example Corp" || v.Lookup("ProductVersion") != "1.2.3-rc.4" {
				t.Errorf("strings %q", v.Strings)
			}
			t.Run("wrestool and exiftool", func(t *testing.T) { checkWithTools(t, exe) })
		})
	}
}

// checkWithTools asks icoutils and exiftool, which know nothing of this
// package, what the executable holds.
func checkWithTools(t *testing.T, exe string) {
	testtool.Need(t, "icoutils libimage-exiftool-perl", "wrestool", "exiftool")
	list := string(run(t, "wrestool", "-l", exe))
	for _, typ := range []string{"3", "14", "16", "24"} { // icon, group icon, version, manifest
		if !strings.Contains(list, "--type="+typ+" ") {
			t.Errorf("wrestool -l lists no resource of type %s:\n%s", typ, list)
		}
	}
	tags := string(run(t, "exiftool", "-s", "-ProductVersion", "-CompanyName", exe))
	for _, want := range []string{"1.2.3-rc.4", "Example Corp"} {
		if !strings.Contains(tags, want) {
			t.Errorf("exiftool does not report %q:\n%s", want, tags)
		}
	}
}

// TestSysoReproducible checks equal input gives equal bytes, also when
// objects for several architectures are made at once, as parallel builds do.
func TestSysoReproducible(t *testing.T) {
	icon, version := testICO(t), VersionInfo{Strings: VersionStrings{ProductName: "Hello"}}.Bytes()
	arches := []string{"386", "amd64", "arm64", "386", "amd64", "arm64"}
	objects := make([]bytes.Buffer, len(arches))
	errs := make([]error, len(arches))
	var wg sync.WaitGroup
	for i, arch := range arches {
		wg.Go(func() { errs[i] = Syso(&objects[i], arch, icon, []byte("<assembly/>"), version) })
	}
	wg.Wait()
	for i := range 3 {
		if errs[i] != nil || errs[i+3] != nil {
			t.Fatal(errs[i], errs[i+3])
		}
		if !bytes.Equal(objects[i].Bytes(), objects[i+3].Bytes()) {
			t.Errorf("two %s objects differ", arches[i])
		}
	}
}

func TestSysoErrors(t *testing.T) {
	version := VersionInfo{Strings: VersionStrings{ProductName: "Hello"}}.Bytes()
	oversized := VersionInfo{Strings: VersionStrings{Comments: strings.Repeat("x", 40000)}}.Bytes()
	tests := []struct {
		name                   string
		arch                   string
		ico, manifest, version []byte
		want                   string
	}{
		{"nothing", "amd64", nil, nil, nil, "no icon, manifest or version"},
		{"unknown arch", "mips", nil, nil, version, "unknown architecture: mips"},
		{"not an icon", "amd64", []byte("\x89PNG\r\n\x1a\n...."), nil, nil, "not an .ico file"},
		{"icon image outside the file", "amd64", testICO(t)[:200], nil, nil, "lies outside the 200-byte file"},
		{"version too large", "amd64", nil, nil, oversized, "does not hold its own length"},
		{"version garbage", "amd64", nil, nil, []byte{8, 0, 0, 0, 0, 0, 'x', 0}, "version information"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Syso(&bytes.Buffer{}, tc.arch, tc.ico, tc.manifest, tc.version)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "winres: ") {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}
