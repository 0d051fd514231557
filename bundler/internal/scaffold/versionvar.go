package scaffold

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// modPackage is a package of the module being set up.
type modPackage struct {
	ImportPath, Name, Dir string
	GoFiles               []string // names in Dir
}

// versionVar is a package-level string variable -X can set.
type versionVar struct {
	Pkg, Name string // Pkg is "main" or the full import path
	ldflags   bool   // its doc comment tells to set it with -X or -ldflags
	depth     int    // import hops from the main package
}

func (v versionVar) String() string { return v.Pkg + "." + v.Name }

// maxVarDepth is how many imports away from main a version variable is
// looked for without a build file pointing at its package.
const maxVarDepth = 2

// versionNames are the variable names taken for the version without
// other evidence.
var versionNames = map[string]bool{"version": true, "Version": true}

// findVersionVar looks for the variable the project sets to its version
// at link time: in the main package and the module's own packages it
// imports, directly or not, with "version" in its name. One that the
// project's build files set with -X wins, then one whose comment says to
// set it so, then one named version or Version, the nearest to main first. It returns "" when there
// is none: -X on a variable that does not exist is silently ignored by the
// linker, so a guess would be worse than nothing.
func findVersionVar(dir string, pkgs map[string]modPackage, main string) string {
	hints := ldflagHints(dir)
	hinted := map[string]bool{}
	for h := range hints {
		hinted[h[:strings.LastIndex(h, ".")]] = true
	}
	var found []versionVar
	depth := map[string]int{main: 0}
	queue := []string{main}
	fset := token.NewFileSet()
	for len(queue) > 0 {
		ip := queue[0]
		queue = queue[1:]
		p := pkgs[ip]
		pkg := ip
		if p.Name == "main" {
			pkg = "main"
		}
		// Reading only the imports keeps a large module fast; variables
		// are read where a version variable is likely: near main, or where
		// the build files point.
		mode := parser.ImportsOnly
		if depth[ip] <= maxVarDepth || hinted[ip] {
			mode = parser.ParseComments | parser.SkipObjectResolution
		}
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, mode)
			if err != nil {
				continue
			}
			if mode != parser.ImportsOnly {
				found = append(found, stringVars(f, pkg, depth[ip])...)
			}
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if _, seen := depth[path]; err == nil && !seen {
					if _, local := pkgs[path]; local {
						depth[path] = depth[ip] + 1
						queue = append(queue, path)
					}
				}
			}
		}
	}
	best, bestScore := "", 0
	for _, v := range found {
		score := 0
		switch {
		case !strings.Contains(strings.ToLower(v.Name), "version"):
			continue // -X also sets commits, dates and secrets
		case hints[v.String()]:
			score = 3000
		case v.ldflags:
			score = 2000
		case versionNames[v.Name]:
			score = 1000
		default:
			continue
		}
		score -= 10 * v.depth
		if v.Name == "version" {
			score++ // the common spelling in package main
		}
		if score > bestScore {
			best, bestScore = v.String(), score
		}
	}
	return best
}

// mentionsLdflags matches a comment telling to set a variable at link time.
var mentionsLdflags = regexp.MustCompile(`(^|\s|')-X\b|-ldflags|\bldflags\b`)

// stringVars lists f's package-level variables that -X can set: of type
// string, uninitialised or set to a string literal.
func stringVars(f *ast.File, pkg string, depth int) []versionVar {
	var out []versionVar
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if !isStringSpec(vs) {
				continue
			}
			doc := vs.Doc.Text() + vs.Comment.Text()
			if len(g.Specs) == 1 {
				doc += g.Doc.Text()
			}
			for _, n := range vs.Names {
				if n.Name != "_" {
					out = append(out, versionVar{Pkg: pkg, Name: n.Name, ldflags: mentionsLdflags.MatchString(doc), depth: depth})
				}
			}
		}
	}
	return out
}

func isStringSpec(vs *ast.ValueSpec) bool {
	if vs.Type != nil {
		if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "string" {
			return false
		}
	}
	if len(vs.Values) == 0 {
		return vs.Type != nil
	}
	if len(vs.Values) != len(vs.Names) {
		return false
	}
	for _, v := range vs.Values {
		if lit, ok := v.(*ast.BasicLit); !ok || lit.Kind != token.STRING {
			return false
		}
	}
	return true
}

// ldflagX matches "-X path.name=" in a build file, with "=" or a space
// after -X and optional quotes.
var ldflagX = regexp.MustCompile(`-X[= ]*['"]?([A-Za-z0-9_.~/-]+)\.([A-Za-z_][A-Za-z0-9_]*)=`)

// buildFiles are where projects keep their link flags: make, GoReleaser,
// task runners and build scripts.
var buildFiles = []string{"Makefile", "GNUmakefile", "makefile", ".goreleaser.yml", ".goreleaser.yaml",
	"Taskfile.yml", "Taskfile.yaml", "magefile.go", "build.sh", "justfile", "Justfile"}

// ldflagHints is the set of "pkg.name" that dir's build files set with -X.
func ldflagHints(dir string) map[string]bool {
	paths := make([]string, 0, len(buildFiles))
	for _, f := range buildFiles {
		paths = append(paths, filepath.Join(dir, f))
	}
	for _, sub := range []string{"script", "scripts", "build"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			if e.Type().IsRegular() {
				paths = append(paths, filepath.Join(dir, sub, e.Name()))
			}
		}
	}
	hints := map[string]bool{}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.Mode().IsRegular() || info.Size() > 1<<20 {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for _, m := range ldflagX.FindAllStringSubmatch(string(data), -1) {
			hints[strings.Trim(m[1], `'"`)+"."+m[2]] = true
		}
	}
	return hints
}
