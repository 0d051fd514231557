package winres

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestManifestRender(t *testing.T) {
	gui := NewManifest("com.example.hello", "1.2.3.0")
	gui.CommonControls = true
	tests := []struct {
		name    string
		in      Manifest
		want    []string // fragments that must appear
		notWant []string // fragments that must not
	}{
		{
			name: "defaults",
			in:   NewManifest("com.example.hello", "1.2.3.0"),
			want: []string{
				`<assemblyIdentity type="win32" name="com.example.hello" version="1.2.3.0" processorArchitecture="*"/>`,
				`<supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/>`,
				`<dpiAware xmlns="http://schemas.microsoft.com/SMI/2005/WindowsSettings">true/pm</dpiAware>`,
				`<dpiAwareness xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">PerMonitorV2, PerMonitor</dpiAwareness>`,
				`<longPathAware xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">true</longPathAware>`,
				`<activeCodePage xmlns="http://schemas.microsoft.com/SMI/2019/WindowsSettings">UTF-8</activeCodePage>`,
				`<requestedExecutionLevel level="asInvoker" uiAccess="false"/>`,
			},
			notWant: []string{"Common-Controls"},
		},
		{
			name:    "zero value takes the enum defaults, leaves the switches off",
			in:      Manifest{Name: "a", Version: "1.0.0.0"},
			want:    []string{`level="asInvoker"`, ">PerMonitorV2, PerMonitor<"},
			notWant: []string{"longPathAware", "activeCodePage", "Common-Controls"},
		},
		{
			name: "GUI app",
			in:   gui,
			want: []string{`name="Microsoft.Windows.Common-Controls" version="6.0.0.0" processorArchitecture="*" publicKeyToken="6595b64144ccf1df" language="*"`},
		},
		{name: "permonitor", in: Manifest{Name: "a", Version: "1.0.0.0", DPIAwareness: "permonitor"}, want: []string{">true/pm</dpiAware>", ">PerMonitor</dpiAwareness>"}},
		{name: "system", in: Manifest{Name: "a", Version: "1.0.0.0", DPIAwareness: "system"}, want: []string{">true</dpiAware>", ">System</dpiAwareness>"}},
		{name: "unaware", in: Manifest{Name: "a", Version: "1.0.0.0", DPIAwareness: "unaware"}, want: []string{">false</dpiAware>", ">unaware</dpiAwareness>"}},
		{name: "highestAvailable", in: Manifest{Name: "a", Version: "1.0.0.0", ExecutionLevel: "highestAvailable"}, want: []string{`level="highestAvailable" uiAccess="false"`}},
		{name: "requireAdministrator", in: Manifest{Name: "a", Version: "1.0.0.0", ExecutionLevel: "requireAdministrator"}, want: []string{`level="requireAdministrator" uiAccess="false"`}},
		{
			name: "XML escaping",
			in:   Manifest{Name: `Tom & Jerry <"Cartoons">`, Version: "1.0.0.0"},
			want: []string{`name="Tom &amp; Jerry &lt;&#34;Cartoons&#34;&gt;"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.in.Render()
			if err != nil {
				t.Fatal(err)
			}
			text := string(out)
			if !strings.HasPrefix(text, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`) {
				t.Errorf("does not start with the XML declaration:\n%s", text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %s\n%s", w, text)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("has %s\n%s", w, text)
				}
			}
			if name := assemblyName(t, out); name != tc.in.Name {
				t.Errorf("an XML parser reads the name as %q, want %q", name, tc.in.Name)
			}
		})
	}
}

// assemblyName parses the manifest as XML, which also checks it is well
// formed, and returns the application's assemblyIdentity name.
func assemblyName(t *testing.T, manifest []byte) string {
	t.Helper()
	var doc struct {
		Identity struct {
			Name string `xml:"name,attr"`
		} `xml:"assemblyIdentity"`
	}
	if err := xml.Unmarshal(manifest, &doc); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, manifest)
	}
	return doc.Identity.Name
}

func TestManifestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   Manifest
		want string
	}{
		{"execution level", Manifest{Name: "a", Version: "1.0.0.0", ExecutionLevel: "admin"}, `execution level "admin" is not one of asInvoker, highestAvailable, requireAdministrator`},
		{"DPI awareness", Manifest{Name: "a", Version: "1.0.0.0", DPIAwareness: "PerMonitorV2"}, `DPI awareness "PerMonitorV2" is not one of permonitorv2, permonitor, system, unaware`},
		{"no name", Manifest{Version: "1.0.0.0"}, "needs an assembly name"},
		{"control character", Manifest{Name: "a\x01", Version: "1.0.0.0"}, "control characters"},
		{"three-part version", Manifest{Name: "a", Version: "1.2.3"}, `version "1.2.3" must be four numbers`},
		{"version field too large", Manifest{Name: "a", Version: "1.2.3.65536"}, "must be four numbers 0-65535"},
		{"semver", Manifest{Name: "a", Version: "1.2.3-rc.1"}, "must be four numbers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.in.Render()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "winres: ") {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}
