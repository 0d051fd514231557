package winres

import (
	"fmt"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/version"
)

// FromConfig is the application manifest and version information of the
// Windows executable exe of the app c describes, at version v.
func FromConfig(c config.Config, v *semver.Version, exe string) (manifest []byte, info VersionInfo, err error) {
	fileVersion, err := version.WindowsFile(v)
	if err != nil {
		return nil, VersionInfo{}, exitcode.Config(fmt.Errorf("version: %w", err))
	}
	four := version.WindowsFileString(fileVersion)
	m := NewManifest(orDefault(c.ID, c.Binary), four)
	m.ExecutionLevel = c.Windows.Manifest.ExecutionLevel
	m.DPIAwareness = c.Windows.Manifest.DPIAwareness
	m.LongPathAware = c.Windows.Manifest.LongPathAware == nil || *c.Windows.Manifest.LongPathAware
	m.UTF8 = c.Windows.Manifest.UTF8 == nil || *c.Windows.Manifest.UTF8
	m.CommonControls = c.GUI
	if manifest, err = m.Render(); err != nil {
		return nil, VersionInfo{}, exitcode.Config(fmt.Errorf("windows.manifest: %w", err))
	}
	info = VersionInfo{
		FileVersion:    fileVersion,
		ProductVersion: fileVersion,
		Prerelease:     v.Prerelease() != "",
		Strings: VersionStrings{
			CompanyName:      c.Publisher,
			FileDescription:  orDefault(c.Description, c.Name),
			FileVersion:      four,
			InternalName:     c.Binary,
			LegalCopyright:   c.Copyright,
			OriginalFilename: exe,
			ProductName:      c.Name,
			ProductVersion:   v.String(),
			Comments:         c.Homepage,
		},
	}
	return manifest, info, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
