package selfexec

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"

	"github.com/bundlekit/bundle/bundler/internal/proc"
)

// listMode asks the go command, in one `go list -deps -export` run, for the whole import graph with
// each package's module, compiled files and export data, but has go/packages type-check nothing.
// Only the app's own packages are then parsed and type-checked from source, by check; everything
// they import comes from the export data the build cache holds (and the go command refreshes), so
// the standard library and other dependencies are never type-checked from source.
//
// NeedTypesSizes makes go/packages ask the go command for the target's GOARCH, alongside the list.
const listMode = packages.NeedName | packages.NeedCompiledGoFiles | packages.NeedImports | packages.NeedDeps |
	packages.NeedExportFile | packages.NeedModule | packages.NeedTypesSizes

// graph is a loaded app, split into the packages of its own modules and everything they import.
// The app's packages come with Syntax, Types and TypesInfo; the dependencies only with their metadata.
type graph struct {
	fset *token.FileSet
	app  []*packages.Package
	deps []*packages.Package
}

func load(ctx context.Context, dir string, patterns []string, o Options) (graph, error) {
	cfg := &packages.Config{
		Context:    ctx,
		Mode:       listMode,
		Dir:        dir,
		Env:        proc.Env(ctx, o.Env...),
		BuildFlags: o.BuildFlags,
	}
	roots, err := packages.Load(cfg, patterns...)
	if err != nil {
		return graph{}, err
	}
	if len(roots) == 0 {
		return graph{}, errors.New("no packages match")
	}
	fset := token.NewFileSet()
	if err := check(ctx, fset, roots); err != nil {
		return graph{}, err
	}
	if err := firstPackageError(roots); err != nil {
		return graph{}, err
	}
	app, deps := split(roots)
	return graph{fset: fset, app: app, deps: deps}, nil
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
		msg := trimBuildHeader(e.Msg)
		if e.Pos != "" && e.Pos != "-" { // go/packages writes "-" for errors without a position
			msg = e.Pos + ": " + msg
		}
		first = fmt.Errorf("%s: %s", p.PkgPath, msg)
	})
	return first
}

// trimBuildHeader drops the "# import/path" line the go command puts before a compiler's output,
// since the error is reported with the package path already.
func trimBuildHeader(msg string) string {
	if strings.HasPrefix(msg, "# ") {
		if _, rest, ok := strings.Cut(msg, "\n"); ok {
			return strings.TrimSpace(rest)
		}
	}
	return msg
}

// split separates the packages of the app's own modules, which are analysed, from its dependencies.
// Both lists are in dependency order: every package comes after the packages it imports.
func split(roots []*packages.Package) (app, deps []*packages.Package) {
	own := ownModules(roots)
	packages.Visit(roots, nil, func(p *packages.Package) {
		if own.has(p) {
			app = append(app, p)
		} else {
			deps = append(deps, p)
		}
	})
	return app, deps
}

// modules is a set of module paths.
type modules map[string]bool

// ownModules returns the modules of the root packages.
func ownModules(roots []*packages.Package) modules {
	own := make(modules)
	for _, r := range roots {
		if r.Module != nil {
			own[r.Module.Path] = true
		}
	}
	return own
}

// has reports whether a package belongs to the app: its module is a main module or one of own.
func (own modules) has(p *packages.Package) bool {
	return p.Module != nil && (p.Module.Main || own[p.Module.Path])
}

// check parses and type-checks the app's packages, in dependency order, filling in their Fset,
// Syntax, Types and TypesInfo, and putting their parse and type errors first among their Errors.
// A dependency the go command failed to compile is type-checked from source too, so that its error
// reads as precisely as the app's own.
//
// All packages share one types.Package per path, so a variable of one app package is the same
// types.Var in every app package that uses it, and a dependency's objects are the same whichever
// export data they were read from.
func check(ctx context.Context, fset *token.FileSet, roots []*packages.Package) error {
	c := &checker{
		fset:   fset,
		pkgs:   make(map[string]*types.Package),
		source: make(map[*packages.Package]bool),
		failed: make(map[string]error),
	}
	own := ownModules(roots)
	var sources []*packages.Package // in dependency order
	packages.Visit(roots, nil, func(p *packages.Package) {
		if own.has(p) || slices.ContainsFunc(p.Errors, isCompilerOutput) {
			sources = append(sources, p)
			c.source[p] = true
			// Created up front, so that export data mentioning the package adds to it instead of creating another.
			p.Types = types.NewPackage(p.PkgPath, p.Name)
			c.pkgs[p.PkgPath] = p.Types
		}
	})
	parsed := parseAll(fset, sources)
	for i, p := range sources {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.checkPackage(p, parsed[i])
	}
	return nil
}

// isCompilerOutput reports an error from the go command failing to compile a package for its export data.
func isCompilerOutput(e packages.Error) bool {
	return strings.HasPrefix(e.Msg, "# ")
}

// parsedPackage is one package's syntax, and the errors of parsing it.
type parsedPackage struct {
	files []*ast.File
	errs  []error
}

// parseAll parses the compiled Go files of the packages, several at a time.
func parseAll(fset *token.FileSet, pkgs []*packages.Package) []parsedPackage {
	type job struct {
		name string
		file *ast.File
		err  error
	}
	jobs := make([][]job, len(pkgs))
	var all []*job
	for i, p := range pkgs {
		jobs[i] = make([]job, len(p.CompiledGoFiles))
		for j, name := range p.CompiledGoFiles {
			jobs[i][j].name = name
			all = append(all, &jobs[i][j])
		}
	}
	next := make(chan *job)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(all)) {
		wg.Go(func() {
			for j := range next {
				j.file, j.err = parser.ParseFile(fset, j.name, nil, parser.ParseComments|parser.SkipObjectResolution)
			}
		})
	}
	for _, j := range all {
		next <- j
	}
	close(next)
	wg.Wait()

	parsed := make([]parsedPackage, len(pkgs))
	for i := range jobs {
		for _, j := range jobs[i] {
			// A file with syntax errors is kept, as go/packages does; one that cannot be read is left out.
			if j.file != nil {
				parsed[i].files = append(parsed[i].files, j.file)
			}
			if j.err != nil {
				parsed[i].errs = append(parsed[i].errs, j.err)
			}
		}
	}
	return parsed
}

// checker type-checks packages from source against the export data of their dependencies.
type checker struct {
	fset   *token.FileSet
	pkgs   map[string]*types.Package // by package path: the view shared by all export data reads
	source map[*packages.Package]bool
	failed map[string]error // dependencies whose export data could not be read, by package path
}

func (c *checker) checkPackage(p *packages.Package, parsed parsedPackage) {
	var errs []packages.Error
	for _, err := range parsed.errs {
		errs = append(errs, parseErrors(err)...)
	}
	p.Fset = c.fset
	p.Syntax = parsed.files
	p.TypesInfo = &types.Info{
		Types:      make(map[ast.Expr]types.TypeAndValue),
		Defs:       make(map[*ast.Ident]types.Object),
		Uses:       make(map[*ast.Ident]types.Object),
		Instances:  make(map[*ast.Ident]types.Instance),
		Selections: make(map[*ast.SelectorExpr]*types.Selection),
	}
	conf := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) { return c.importFrom(p, path) }),
		Sizes:    p.TypesSizes,
		Error: func(err error) {
			if te, ok := err.(types.Error); ok {
				errs = append(errs, packages.Error{Pos: c.fset.Position(te.Pos).String(), Msg: te.Msg, Kind: packages.TypeError})
			} else {
				errs = append(errs, packages.Error{Pos: "-", Msg: err.Error(), Kind: packages.TypeError})
			}
		},
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	if err := types.NewChecker(conf, c.fset, p.Types, p.TypesInfo).Files(p.Syntax); err != nil && len(errs) == 0 {
		errs = append(errs, packages.Error{Pos: "-", Msg: err.Error(), Kind: packages.TypeError})
	}

	// The go command's own errors come first, except for compiler output (it failed to build the
	// export data), which says the same as the type checker, only less precisely.
	var listed, built []packages.Error
	for _, e := range p.Errors {
		if isCompilerOutput(e) {
			built = append(built, e)
		} else {
			listed = append(listed, e)
		}
	}
	p.Errors = append(append(listed, errs...), built...)
}

// parseErrors converts a parser's error to go/packages errors.
func parseErrors(err error) []packages.Error {
	var list scanner.ErrorList
	if errors.As(err, &list) {
		errs := make([]packages.Error, len(list))
		for i, e := range list {
			errs[i] = packages.Error{Pos: e.Pos.String(), Msg: e.Msg, Kind: packages.ParseError}
		}
		return errs
	}
	return []packages.Error{{Pos: "-", Msg: err.Error(), Kind: packages.ParseError}}
}

// importFrom returns the package that an import path means in the source package p.
func (c *checker) importFrom(p *packages.Package, path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	imp := p.Imports[path] // with NeedDeps, the graph's own node
	if imp == nil {
		return nil, fmt.Errorf("no package %q in the go command's import graph", path)
	}
	if c.source[imp] {
		return imp.Types, nil // checked already, as dependencies come first
	}
	return c.exported(imp)
}

// exported returns a dependency's types, read from its export data unless that was done already,
// possibly as a part of another package's export data.
func (c *checker) exported(p *packages.Package) (*types.Package, error) {
	if t := c.pkgs[p.PkgPath]; t != nil && t.Complete() {
		return t, nil
	}
	if err, failed := c.failed[p.PkgPath]; failed {
		return nil, err
	}
	t, err := c.readExportData(p)
	if err != nil {
		c.failed[p.PkgPath] = err
		return nil, err
	}
	return t, nil
}

func (c *checker) readExportData(p *packages.Package) (*types.Package, error) {
	if p.ExportFile == "" {
		return nil, fmt.Errorf("no export data for %s", p.PkgPath)
	}
	f, err := os.Open(p.ExportFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %w", p.PkgPath, err)
	}
	t, err := gcexportdata.Read(r, c.fset, c.pkgs, p.PkgPath)
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %w", p.PkgPath, err)
	}
	return t, nil
}

// importerFunc implements types.Importer with a function.
type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
