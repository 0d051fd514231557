package macsign

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"howett.net/plist"
)

// The resource rules codesign writes by default for an app with a
// Resources folder. rules (version 1) seal Resources/ only; rules2 seal
// everything but Info.plist and PkgInfo (bound by their own special slot
// or not at all) and treat code folders as nested code.
var (
	resourceRules = map[string]any{
		"^Resources/":                             true,
		"^Resources/.*\\.lproj/":                  map[string]any{"optional": true, "weight": 1000.0},
		"^Resources/.*\\.lproj/locversion.plist$": map[string]any{"omit": true, "weight": 1100.0},
		"^Resources/Base\\.lproj/":                map[string]any{"weight": 1010.0},
		"^version.plist$":                         true,
	}
	resourceRules2 = map[string]any{
		".*\\.dSYM($|/)":      map[string]any{"weight": 11.0},
		"^(.*/)?\\.DS_Store$": map[string]any{"omit": true, "weight": 2000.0},
		"^(Frameworks|SharedFrameworks|PlugIns|Plug-ins|XPCServices|Helpers|MacOS|Library/(Automator|Spotlight|LoginItems))/": map[string]any{"nested": true, "weight": 10.0},
		"^.*":                    true,
		"^Info\\.plist$":         map[string]any{"omit": true, "weight": 20.0},
		"^PkgInfo$":              map[string]any{"omit": true, "weight": 20.0},
		"^Resources/":            map[string]any{"weight": 20.0},
		"^Resources/.*\\.lproj/": map[string]any{"optional": true, "weight": 1000.0},
		"^Resources/.*\\.lproj/locversion.plist$": map[string]any{"omit": true, "weight": 1100.0},
		"^Resources/Base\\.lproj/":                map[string]any{"weight": 1010.0},
		"^[^/]+$":                                 map[string]any{"nested": true, "weight": 10.0},
		"^embedded\\.provisionprofile$":           map[string]any{"weight": 20.0},
		"^version\\.plist$":                       map[string]any{"weight": 20.0},
	}
	lproj = regexp.MustCompile(`^Resources/.*\.lproj/`)
)

// SignApp signs the .app at appPath in place: it writes the resource seal
// Contents/_CodeSignature/CodeResources, then signs the main executable
// named by CFBundleExecutable, binding Info.plist and the seal to it.
// o.InfoPlist and o.Resources are filled in here.
func SignApp(ctx context.Context, appPath string, o Options) error {
	contents := filepath.Join(appPath, "Contents")
	info, err := os.ReadFile(filepath.Join(contents, "Info.plist"))
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	exePath, err := executableNamed(appPath, info)
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	exeRel := "MacOS/" + filepath.Base(exePath)
	seal, err := resourceSeal(contents, exeRel)
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	sealPath := filepath.Join(contents, "_CodeSignature", "CodeResources")
	if err := os.MkdirAll(filepath.Dir(sealPath), 0o755); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	if err := os.WriteFile(sealPath, seal, 0o644); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	exe, err := os.ReadFile(exePath)
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	o.InfoPlist, o.Resources = info, seal
	signed, err := SignExecutable(ctx, exe, o)
	if err != nil {
		return fmt.Errorf("app: %s: %w", exeRel, err)
	}
	return replaceFile(exePath, signed, 0o755)
}

// mainExecutable is the path of the executable an app's Info.plist names.
func mainExecutable(appPath string) (string, error) {
	info, err := os.ReadFile(filepath.Join(appPath, "Contents", "Info.plist"))
	if err != nil {
		return "", err
	}
	return executableNamed(appPath, info)
}

// executableNamed is the path of the executable the Info.plist info names.
func executableNamed(appPath string, info []byte) (string, error) {
	var keys struct {
		Executable string `plist:"CFBundleExecutable"`
	}
	if _, err := plist.Unmarshal(info, &keys); err != nil || keys.Executable == "" || strings.ContainsAny(keys.Executable, `/\`) {
		return "", fmt.Errorf("Contents/Info.plist names no CFBundleExecutable")
	}
	return filepath.Join(appPath, "Contents", "MacOS", keys.Executable), nil
}

// resourceSeal hashes every file of the bundle but the main executable,
// Info.plist, PkgInfo, a stapled ticket (Contents/CodeResources) and the
// signature folder itself, under the default
// rules. bundle stages no nested code (frameworks, helpers), so every
// sealed file is a plain resource, and a symbolic link is sealed by its
// target.
func resourceSeal(contents, exeRel string) ([]byte, error) {
	files := map[string]any{}
	files2 := map[string]any{}
	err := filepath.WalkDir(contents, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(contents, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case rel == exeRel, rel == "Info.plist", rel == "PkgInfo", rel == "CodeResources", strings.HasPrefix(rel, "_CodeSignature/"),
			path.Base(rel) == ".DS_Store":
			return nil
		case strings.HasPrefix(rel, "MacOS/"):
			return fmt.Errorf("%s: only the main executable may be in Contents/MacOS (nested code is not signed)", rel)
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			files2[rel] = map[string]any{"symlink": target}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h1, h2 := sha1.Sum(data), sha256.Sum256(data)
		optional := lproj.MatchString(rel)
		entry2 := map[string]any{"hash": h1[:], "hash2": h2[:]}
		if optional {
			entry2["optional"] = true
		}
		files2[rel] = entry2
		if strings.HasPrefix(rel, "Resources/") {
			if optional {
				files[rel] = map[string]any{"hash": h1[:], "optional": true}
			} else {
				files[rel] = h1[:]
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return plist.MarshalIndent(map[string]any{
		"files": files, "files2": files2, "rules": resourceRules, "rules2": resourceRules2,
	}, plist.XMLFormat, "\t")
}
