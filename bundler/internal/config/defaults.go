package config

import (
	"path"
	"strings"
	"unicode"
)

// DefaultTargets are built when bundle.yaml names none: the three desktop
// operating systems on the two architectures that ship today.
var DefaultTargets = []string{
	"linux/amd64", "linux/arm64",
	"windows/amd64", "windows/arm64",
	"darwin/amd64", "darwin/arm64",
}

// MinMacOS is the oldest macOS the Go toolchain bundle uses supports: Go
// 1.26 binaries carry LC_BUILD_VERSION minos 12.0.
const MinMacOS = "12.0"

// WithDefaults returns c with every unset field given its default. It does
// not change c.
func WithDefaults(c Config, known Known) Config {
	if c.Binary == "" {
		c.Binary = Slug(c.Name)
	}
	if c.Main == "" {
		c.Main = "."
	}
	if len(c.Targets) == 0 {
		c.Targets = append([]string(nil), DefaultTargets...)
	}
	fill := func(list *[]string, goos string) {
		if *list == nil {
			*list = append([]string(nil), known.DefaultFormats[goos]...)
		}
	}
	fill(&c.Formats.Linux, "linux")
	fill(&c.Formats.Windows, "windows")
	fill(&c.Formats.Darwin, "darwin")
	files := make([]File, len(c.Files))
	for i, f := range c.Files {
		if f.Dst == "" {
			f.Dst = path.Base(strings.TrimRight(f.Src, "/"))
		}
		files[i] = f
	}
	c.Files = files
	if c.Linux.PackageName == "" {
		c.Linux.PackageName = strings.ToLower(c.Binary)
	}
	if c.Linux.Section == "" {
		c.Linux.Section = "utils"
	}
	if len(c.Linux.Categories) == 0 {
		c.Linux.Categories = []string{"Utility"}
	}
	if c.Windows.InstallScope == "" {
		c.Windows.InstallScope = "user"
	}
	if c.Windows.Manifest.ExecutionLevel == "" {
		c.Windows.Manifest.ExecutionLevel = "asInvoker"
	}
	if c.Windows.Manifest.DPIAwareness == "" {
		c.Windows.Manifest.DPIAwareness = "permonitorv2"
	}
	if c.MacOS.MinimumSystemVersion == "" {
		c.MacOS.MinimumSystemVersion = MinMacOS
	}
	if c.MacOS.Category == "" {
		c.MacOS.Category = "public.app-category.utilities"
	}
	if c.Runtime.Guard == "" {
		c.Runtime.Guard = "chain"
	}
	if c.Runtime.Grace == "" {
		c.Runtime.Grace = "5s"
	}
	return c
}

// Slug turns a display name into a file name: lower case, letters and
// digits kept, everything else collapsed into single dashes.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "app"
	}
	return b.String()
}
