package scaffold

import (
	"bufio"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// fallbackTags returns the build tags that let the app build without the
// files its go:generate directives write, which projects often leave out
// of their tree (syncthing's GUI assets): a package of the app whose
// go:generate writes a Go file (-o NAME) that is not there, and that holds
// a file built only with one tag of its own, which stands in for it
// (syncthing's lib/api/auto/noassets.go, behind noassets). It also says
// why, for the comment bundle init writes.
func fallbackTags(pkgs map[string]modPackage, main string) (tags []string, why string) {
	var reasons []string
	for _, ip := range reachable(pkgs, main) {
		p := pkgs[ip]
		missing := missingGenerated(p)
		if missing == "" {
			continue
		}
		for _, f := range p.IgnoredGoFiles {
			tag, ok := customTag(filepath.Join(p.Dir, f))
			if !ok || slices.Contains(tags, tag) {
				continue
			}
			tags = append(tags, tag)
			reasons = append(reasons, tag+": go:generate in "+ip+" writes "+missing+", which is not in the tree, and "+f+" stands in for it")
			break
		}
	}
	return tags, strings.Join(reasons, "; ")
}

// reachable lists the module's packages main imports, directly or not,
// main first, reading only their imports.
func reachable(pkgs map[string]modPackage, main string) []string {
	seen := map[string]bool{main: true}
	order := []string{main}
	fset := token.NewFileSet()
	for i := 0; i < len(order); i++ {
		p := pkgs[order[i]]
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
			if err != nil {
				continue
			}
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if _, local := pkgs[path]; err == nil && local && !seen[path] {
					seen[path] = true
					order = append(order, path)
				}
			}
		}
	}
	return order
}

// missingGenerated returns the Go file a go:generate directive of p writes
// (after -o or -output) when that file is not in p's folder, or "".
func missingGenerated(p modPackage) string {
	for _, name := range append(slices.Clone(p.GoFiles), p.IgnoredGoFiles...) {
		f, err := os.Open(filepath.Join(p.Dir, name))
		if err != nil {
			continue
		}
		s := bufio.NewScanner(f)
		for s.Scan() {
			line, ok := strings.CutPrefix(s.Text(), "//go:generate ")
			if !ok {
				continue
			}
			fields := strings.Fields(line)
			for i, w := range fields {
				if (w == "-o" || w == "-output" || w == "--output") && i+1 < len(fields) && strings.HasSuffix(fields[i+1], ".go") {
					out := fields[i+1]
					if _, err := os.Stat(filepath.Join(p.Dir, out)); os.IsNotExist(err) {
						f.Close()
						return out
					}
				}
			}
		}
		f.Close()
	}
	return ""
}

// customTag returns the tag of a file whose build constraint is one tag of
// the project's own (not an OS, architecture, compiler, cgo or Go
// version), which the go command leaves out unless -tags names it.
func customTag(path string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if strings.HasPrefix(line, "package ") {
			return "", false
		}
		if !constraint.IsGoBuild(line) {
			continue
		}
		expr, err := constraint.Parse(line)
		if err != nil {
			return "", false
		}
		tag, ok := expr.(*constraint.TagExpr)
		if !ok || knownTag(tag.Tag) {
			return "", false
		}
		return tag.Tag, true
	}
	return "", false
}

// knownTag reports the tags the go command sets by itself or that mean
// "never build" (ignore).
func knownTag(tag string) bool {
	switch tag {
	case "ignore", "cgo", "gc", "gccgo", "unix", "race", "msan", "asan",
		"aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
		"386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le", "riscv64", "s390x", "wasm":
		return true
	}
	return strings.HasPrefix(tag, "go1.")
}
