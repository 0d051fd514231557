package winres

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bundlekit/bundle/templates"
)

const manifestTemplate = "windows/app.manifest.tmpl"

// Manifest is the application manifest (RT_MANIFEST id 1), rendered from
// templates/windows/app.manifest.tmpl. Windows refuses to start an .exe
// whose manifest it cannot parse ("side-by-side configuration is
// incorrect"), so Render checks every value first.
//
// The zero value turns LongPathAware and UTF8 off; NewManifest gives the
// defaults.
type Manifest struct {
	Name    string // assemblyIdentity name, e.g. the app id
	Version string // assemblyIdentity version: four numbers, e.g. "1.2.3.0"
	// ExecutionLevel is asInvoker (default when empty), highestAvailable
	// or requireAdministrator.
	ExecutionLevel string
	// DPIAwareness is permonitorv2 (default when empty), permonitor,
	// system or unaware.
	DPIAwareness   string
	LongPathAware  bool // paths beyond MAX_PATH, when the system allows them
	UTF8           bool // activeCodePage UTF-8: the ANSI code page APIs speak UTF-8
	CommonControls bool // depend on Common Controls v6 (themed controls): for GUI apps
}

// NewManifest returns the defaults: asInvoker, per-monitor v2 DPI
// awareness, long paths and UTF-8 on, no Common Controls dependency.
func NewManifest(name, version string) Manifest {
	return Manifest{
		Name:           name,
		Version:        version,
		ExecutionLevel: "asInvoker",
		DPIAwareness:   "permonitorv2",
		LongPathAware:  true,
		UTF8:           true,
	}
}

var executionLevels = []string{"asInvoker", "highestAvailable", "requireAdministrator"}

// dpiSettings maps a DPIAwareness choice to the legacy <dpiAware> value
// (read by Windows before 10 1607) and the <dpiAwareness> list (read
// since, first supported entry wins).
var dpiSettings = map[string]struct{ aware, awareness string }{
	"permonitorv2": {"true/pm", "PerMonitorV2, PerMonitor"},
	"permonitor":   {"true/pm", "PerMonitor"},
	"system":       {"true", "System"},
	"unaware":      {"false", "unaware"},
}

var dpiChoices = []string{"permonitorv2", "permonitor", "system", "unaware"}

// Render validates m and returns the manifest XML.
func (m Manifest) Render() ([]byte, error) {
	level := cmp.Or(m.ExecutionLevel, "asInvoker")
	if !slices.Contains(executionLevels, level) {
		return nil, fmt.Errorf("winres: manifest execution level %q is not one of %s", level, strings.Join(executionLevels, ", "))
	}
	dpiChoice := cmp.Or(m.DPIAwareness, "permonitorv2")
	dpi, ok := dpiSettings[dpiChoice]
	if !ok {
		return nil, fmt.Errorf("winres: manifest DPI awareness %q is not one of %s", dpiChoice, strings.Join(dpiChoices, ", "))
	}
	if strings.TrimSpace(m.Name) == "" {
		return nil, fmt.Errorf("winres: manifest needs an assembly name")
	}
	if strings.ContainsFunc(m.Name, isControl) {
		return nil, fmt.Errorf("winres: manifest assembly name %q contains control characters, which XML cannot hold", m.Name)
	}
	if !isFourPartVersion(m.Version) {
		return nil, fmt.Errorf("winres: manifest version %q must be four numbers 0-65535 separated by dots, such as 1.2.3.0", m.Version)
	}
	out, err := templates.Render(manifestTemplate, struct {
		Name, Version, ExecutionLevel, DPIAware, DPIAwareness string
		LongPathAware, UTF8, CommonControls                   bool
	}{
		m.Name, m.Version, level, dpi.aware, dpi.awareness,
		m.LongPathAware, m.UTF8, m.CommonControls,
	})
	if err != nil {
		return nil, fmt.Errorf("winres: manifest: %w", err)
	}
	return out, nil
}

func isFourPartVersion(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 16); err != nil {
			return false
		}
	}
	return true
}

// isControl reports characters XML 1.0 does not allow in a document.
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r'
}
