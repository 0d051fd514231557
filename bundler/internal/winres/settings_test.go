package winres

import (
	"strings"
	"testing"
)

// TestManifestSettings reads back what Render writes, for a console and a
// GUI app, and refuses a manifest that is not XML.
func TestManifestSettings(t *testing.T) {
	for _, gui := range []bool{false, true} {
		m := NewManifest("Example.App", "1.2.3.0")
		m.CommonControls = gui
		data, err := m.Render()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ManifestSettings(string(data))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"execution level: asInvoker", "DPI awareness: PerMonitorV2, PerMonitor", "long paths: true", "code page: UTF-8"}
		if gui {
			want = append(want, "common controls: v6")
		}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("gui=%v:\n got %q\nwant %q", gui, got, want)
		}
	}
	if _, err := ManifestSettings("<assembly><trustInfo>"); err == nil {
		t.Error("a truncated manifest reads without an error")
	}
}
