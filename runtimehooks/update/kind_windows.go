package update

import (
	"net/url"

	"golang.org/x/sys/windows/registry"
)

// msiDirs returns the folders the app's MSI recorded as InstallDir, per
// user (HKCU) and per machine (HKLM), under the key bundle compiled in.
func msiDirs() []string {
	key, err := url.QueryUnescape(builtMSIKey)
	if err != nil || key == "" {
		return nil
	}
	var dirs []string
	for _, root := range []registry.Key{registry.CURRENT_USER, registry.LOCAL_MACHINE} {
		k, err := registry.OpenKey(root, key, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		if dir, _, err := k.GetStringValue("InstallDir"); err == nil && dir != "" {
			dirs = append(dirs, dir)
		}
		k.Close()
	}
	return dirs
}
