package scaffold

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// candidate is a main package of the module, by its folder relative to the
// module root ("." or "./cmd/x") and its import path.
type candidate struct {
	Main, ImportPath string
}

// majorSuffix is the /vN element a module path ends with from v2 on.
var majorSuffix = regexp.MustCompile(`^v[0-9]+$`)

// lastElem is the name an import path gives a program: its last element,
// or the one before a major-version suffix (github.com/cli/cli/v2 is cli).
func lastElem(importPath string) string {
	parts := strings.Split(importPath, "/")
	if len(parts) > 1 && majorSuffix.MatchString(parts[len(parts)-1]) {
		parts = parts[:len(parts)-1]
	}
	return strings.TrimSuffix(parts[len(parts)-1], ".git")
}

// devTool matches a path element of a program that helps develop the
// project rather than being it: generators, doc builders, scripts, examples.
var devTool = regexp.MustCompile(`(?i)^(gen|gen[-_].*|.*[-_]gen|generate.*|docs?|.*[-_]docs?|tools?|scripts?|hack|examples?|internal|test.*|.*[-_]test|bench.*|mock.*|e2e|fuzz.*|ci|build|dev|debug|demo)$`)

// chooseMain orders the main packages from the most to the least likely to
// be the app: the one a GoReleaser config builds, then the one named after
// the module or the repository folder, then any under cmd/ that is not a
// development tool, then the rest; ties go to the shallower, then by path.
func chooseMain(cands []candidate, names []string, released []string) []candidate {
	tier := func(c candidate) int {
		rel := strings.TrimPrefix(c.Main, "./")
		elems := strings.Split(rel, "/")
		isDev := false
		for _, e := range elems {
			if e != "." && e != "cmd" && devTool.MatchString(e) {
				isDev = true
			}
		}
		switch {
		case containsPath(released, c.Main):
			return 0
		case containsFold(names, lastElem(c.ImportPath)):
			return 1
		case c.Main == ".":
			return 2
		case isDev:
			return 5
		case elems[0] == "cmd":
			return 3
		}
		return 4
	}
	out := append([]candidate(nil), cands...)
	sort.SliceStable(out, func(i, j int) bool {
		ti, tj := tier(out[i]), tier(out[j])
		if ti != tj {
			return ti < tj
		}
		di, dj := strings.Count(out[i].Main, "/"), strings.Count(out[j].Main, "/")
		if di != dj {
			return di < dj
		}
		return out[i].Main < out[j].Main
	})
	return out
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if l != "" && strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

func containsPath(list []string, main string) bool {
	for _, l := range list {
		if strings.HasSuffix(l, ".go") { // GoReleaser also takes a file
			l = path.Dir(l)
		}
		if cleanMain(l) == main {
			return true
		}
	}
	return false
}

// cleanMain writes a package folder the way bundle.yaml's main: does:
// "." or "./dir".
func cleanMain(p string) string {
	p = path.Clean(filepath.ToSlash(strings.TrimSpace(p)))
	if p == "." || p == "" {
		return "."
	}
	return "./" + strings.TrimPrefix(p, "./")
}

// releasedMains is the main packages a GoReleaser config in dir builds
// (builds[].main), which names the app when a repository has several.
func releasedMains(dir string) []string {
	for _, name := range []string{".goreleaser.yml", ".goreleaser.yaml", "goreleaser.yml", "goreleaser.yaml"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		var cfg struct {
			Builds []struct {
				Main string `yaml:"main"`
			} `yaml:"builds"`
		}
		// A config this cannot read is only a missed hint.
		if yaml.Unmarshal(data, &cfg) != nil {
			return nil
		}
		var out []string
		for _, b := range cfg.Builds {
			if b.Main != "" {
				out = append(out, b.Main)
			}
		}
		return out
	}
	return nil
}
