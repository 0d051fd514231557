package selfexec

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"os"

	"golang.org/x/tools/go/packages"
)

// loadMode asks for syntax and types of every package, dependencies included: the app's code is
// analysed, and the dependency graph is matched against knownLibraries.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes |
	packages.NeedTypesInfo | packages.NeedImports | packages.NeedDeps | packages.NeedModule

// graph is a loaded app, split into the packages of its own modules and everything they import.
type graph struct {
	fset *token.FileSet
	app  []*packages.Package
	deps []*packages.Package
}

func load(ctx context.Context, dir string, patterns []string, o Options) (graph, error) {
	cfg := &packages.Config{
		Context:    ctx,
		Mode:       loadMode,
		Dir:        dir,
		Env:        append(os.Environ(), o.Env...),
		BuildFlags: o.BuildFlags,
		Fset:       token.NewFileSet(),
	}
	roots, err := packages.Load(cfg, patterns...)
	if err != nil {
		return graph{}, err
	}
	if len(roots) == 0 {
		return graph{}, errors.New("no packages match")
	}
	if err := firstPackageError(roots); err != nil {
		return graph{}, err
	}
	app, deps := split(roots)
	return graph{fset: cfg.Fset, app: app, deps: deps}, nil
}

// firstPackageError returns the first error of the graph, dependencies before their importers,
// because an importer's errors are often a consequence of a broken import.
func firstPackageError(roots []*packages.Package) error {
	var first error
	packages.Visit(roots, nil, func(p *packages.Package) {
		if first != nil || len(p.Errors) == 0 {
			return
		}
		e := p.Errors[0]
		msg := e.Msg
		if e.Pos != "" && e.Pos != "-" { // go/packages writes "-" for errors without a position
			msg = e.Pos + ": " + msg
		}
		first = fmt.Errorf("%s: %s", p.PkgPath, msg)
	})
	return first
}

// split separates the packages of the app's own modules, which are analysed, from its dependencies.
// A package belongs to the app when its module is a main module or the module of a root package.
func split(roots []*packages.Package) (app, deps []*packages.Package) {
	own := make(map[string]bool)
	for _, r := range roots {
		if r.Module != nil {
			own[r.Module.Path] = true
		}
	}
	packages.Visit(roots, nil, func(p *packages.Package) {
		if p.Module != nil && (p.Module.Main || own[p.Module.Path]) {
			app = append(app, p)
		} else {
			deps = append(deps, p)
		}
	})
	return app, deps
}
