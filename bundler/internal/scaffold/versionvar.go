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
	IgnoredGoFiles        []string // left out by their build constraints here
}

// versionVar is a package-level string variable -X can set.
type versionVar struct {
	Pkg, Name  string // Pkg is "main" or the full import path
	importPath string // the package's import path, main's too
	value      string // the string it is initialised to, if any
	ldflags    bool   // its doc comment tells to set it with -X or -ldflags
	depth      int    // import hops from the main package
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
// set it so, then one named version or Version, the nearest to main first. It returns false when there
// is none: -X on a variable that does not exist is silently ignored by the
// linker, so a guess would be worse than nothing.
func findVersionVar(dir string, pkgs map[string]modPackage, main string) (versionVar, bool) {
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
				for _, v := range stringVars(f, pkg, depth[ip]) {
					v.importPath = ip
					found = append(found, v)
				}
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
	var best versionVar
	bestScore := 0
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
			best, bestScore = v, score
		}
	}
	return best, bestScore > 0
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
			for i, n := range vs.Names {
				if n.Name == "_" {
					continue
				}
				v := versionVar{Pkg: pkg, Name: n.Name, ldflags: mentionsLdflags.MatchString(doc), depth: depth}
				if i < len(vs.Values) {
					v.value, _ = strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
				}
				out = append(out, v)
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
// task runners and build scripts, in Go too (syncthing's build.go).
var buildFiles = []string{"Makefile", "GNUmakefile", "makefile", ".goreleaser.yml", ".goreleaser.yaml",
	"Taskfile.yml", "Taskfile.yaml", "magefile.go", "build.go", "build.sh", "justfile", "Justfile"}

// ldflagHints is the set of "pkg.name" that dir's build files set with -X.
func ldflagHints(dir string) map[string]bool {
	hints := map[string]bool{}
	for _, data := range readBuildFiles(dir) {
		for _, m := range ldflagX.FindAllStringSubmatch(data, -1) {
			hints[strings.Trim(m[1], `'"`)+"."+m[2]] = true
		}
	}
	return hints
}

// readBuildFiles returns the contents of dir's build files.
func readBuildFiles(dir string) []string {
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
	var contents []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.Mode().IsRegular() || info.Size() > 1<<20 {
			continue
		}
		if data, err := os.ReadFile(p); err == nil {
			contents = append(contents, string(data))
		}
	}
	return contents
}

// vVersion is the format of a version written with a v.
const vVersion = "v{{.Version}}"

// versionFormat says how the project writes the value of v: with a v
// (build.version_format v{{.Version}}) when its build files set v to
// v-something or to GoReleaser's {{.Tag}} (the tag, with its v), when its
// package checks the value against a regular expression that starts with
// ^v and a digit (syncthing's lib/build refuses to start otherwise), or
// when its default is v and a digit. It returns "" for the plain version,
// and why it chose a v, for the comment bundle init writes.
func versionFormat(dir string, pkgs map[string]modPackage, v versionVar) (format, why string) {
	set := regexp.MustCompile(`-X[= ]*['"]?(?:` + regexp.QuoteMeta(v.importPath) + `|` + regexp.QuoteMeta(v.Pkg) + `)\.` + regexp.QuoteMeta(v.Name) + `=(.*)`)
	for _, data := range readBuildFiles(dir) {
		for _, m := range set.FindAllStringSubmatch(data, -1) {
			value := templateAction.ReplaceAllString(m[1], "{{$1}}")
			if end := strings.IndexAny(value, " \t'\"`,;"); end >= 0 {
				value = value[:end]
			}
			if strings.HasPrefix(value, "{{.Tag}}") || vThenValue.MatchString(value) {
				return vVersion, "the project's build files set it to " + value
			}
		}
	}
	if pattern := checkedAgainst(pkgs[v.importPath], v.Name); vPattern.MatchString(pattern) {
		return vVersion, "its package checks it against " + pattern
	}
	if vDigit.MatchString(v.value) {
		return vVersion, "its default is " + strconv.Quote(v.value)
	}
	return "", ""
}

var (
	// templateAction is a GoReleaser template action, spaces and all.
	templateAction = regexp.MustCompile(`\{\{\s*([^}]*?)\s*\}\}`)
	// vThenValue is a value that is v and then a variable or a version.
	vThenValue = regexp.MustCompile(`^['"]?v(\$|\{\{|%|[0-9])`)
	// vPattern is a regular expression that wants a v and a digit first.
	vPattern = regexp.MustCompile(`^\^v(\\d|\[0-9\])`)
	// vDigit is a version written with a v.
	vDigit = regexp.MustCompile(`^v[0-9]`)
)

// checkedAgainst returns the pattern of the regular expression a package
// matches its variable name against (re.MatchString(name), with re a
// package-level regexp.MustCompile of a literal), or "".
func checkedAgainst(p modPackage, name string) string {
	fset := token.NewFileSet()
	patterns := map[string]string{} // variable name: pattern
	var matchers []string           // variables whose MatchString gets name
	for _, f := range p.GoFiles {
		file, err := parser.ParseFile(fset, filepath.Join(p.Dir, f), nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if i < len(n.Values) {
						if lit := compiledLiteral(n.Values[i]); lit != "" {
							patterns[id.Name] = lit
						}
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "MatchString" || len(n.Args) != 1 {
					return true
				}
				if arg, ok := n.Args[0].(*ast.Ident); !ok || arg.Name != name {
					return true
				}
				if lit := compiledLiteral(sel.X); lit != "" {
					patterns["\x00"] = lit
					matchers = append(matchers, "\x00")
				} else if re, ok := sel.X.(*ast.Ident); ok {
					matchers = append(matchers, re.Name)
				}
			}
			return true
		})
	}
	for _, m := range matchers {
		if p, ok := patterns[m]; ok {
			return p
		}
	}
	return ""
}

// compiledLiteral returns the pattern of regexp.MustCompile("...") or
// regexp.MustCompile(`...`), or "".
func compiledLiteral(e ast.Expr) string {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return ""
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "MustCompile" {
		return ""
	}
	if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "regexp" {
		return ""
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return ""
	}
	pattern, err := strconv.Unquote(lit.Value)
	if err != nil {
		return ""
	}
	return pattern
}
