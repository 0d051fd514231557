// Package scaffold writes a starter bundle.yaml for the Go module in a
// folder, filled in from the project itself: its main packages (`go list`),
// license file, README, manual pages and version variable.
package scaffold

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/gomod"
	"github.com/bundlekit/bundle/templates"
)

// Project is what the starter config is filled in with.
type Project struct {
	Name, ID, Binary, Main string
	// Description is a summary line, then optionally more text; when
	// none was found it is TODODescription and NoDescription is set.
	Description   string
	NoDescription bool
	Targets       []string
	OtherMains    []string // the module's other main packages
	License       License  // zero when the project has no license file
	ManPages      []config.File
	VersionVar    string   // for build.version_var, "" when none was found
	VersionFormat string   // for build.version_format, "" for the plain version
	FormatWhy     string   // why VersionFormat, for the comment
	Tags          []string // build.tags the app needs to build without generated files
	TagsWhy       string   // why Tags, for the comment
}

// TODODescription is the description written when neither the README nor
// the package doc has one; Linux packages refuse to be built with it.
const TODODescription = "TODO: one line saying what the program does"

// Detect inspects the module in dir: its main packages (the app is the one
// GoReleaser builds, else the one named after the module, see chooseMain),
// its license file, README, man pages and version variable.
func Detect(ctx context.Context, dir string) (Project, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Project{}, fmt.Errorf("init: %w", err)
	}
	// -find lists the module's packages without resolving their imports,
	// so init needs neither the network nor the dependencies downloaded.
	pkgs, err := gomod.List(ctx, dir, nil, []string{"-find"}, "./...")
	if err != nil {
		return Project{}, exitcode.Config(fmt.Errorf("%v; run bundle init in a Go module (go mod init)", err))
	}
	local := map[string]modPackage{}
	var cands []candidate
	modPath := ""
	for _, p := range pkgs {
		if p.Error != nil {
			continue
		}
		if p.Module != nil && modPath == "" {
			modPath = p.Module.Path
		}
		local[p.ImportPath] = modPackage{ImportPath: p.ImportPath, Name: p.Name, Dir: p.Dir, GoFiles: p.GoFiles, IgnoredGoFiles: p.IgnoredGoFiles}
		if p.Name != "main" {
			continue
		}
		rel, err := filepath.Rel(dir, p.Dir)
		if err != nil {
			return Project{}, fmt.Errorf("init: %w", err)
		}
		cands = append(cands, candidate{Main: cleanMain(rel), ImportPath: p.ImportPath})
	}
	if len(cands) == 0 {
		return Project{}, exitcode.Config(errors.New("no main package in this module; bundle init needs a Go module with a main package"))
	}
	if modPath == "" {
		modPath = cands[0].ImportPath
	}
	ranked := chooseMain(cands, []string{lastElem(modPath), filepath.Base(dir)}, releasedMains(dir))
	m := ranked[0]
	binary := lastElem(m.ImportPath)
	if m.Main == "." {
		binary = lastElem(modPath)
	}
	binary = config.Slug(binary)
	p := Project{
		Name:    strings.ToUpper(binary[:1]) + binary[1:],
		ID:      reverseDNS(modPath, binary),
		Binary:  binary,
		Main:    m.Main,
		Targets: config.DefaultTargets,
	}
	for _, c := range ranked[1:] {
		p.OtherMains = append(p.OtherMains, c.Main)
	}
	mp := local[m.ImportPath]
	var mainFiles []string
	for _, f := range mp.GoFiles {
		mainFiles = append(mainFiles, filepath.Join(mp.Dir, f))
	}
	if lic, ok := findLicense(dir); ok {
		if lic.Copyright == "" {
			lic.Copyright = copyrightInSource(mainFiles)
		}
		p.License = lic
	}
	names := []string{binary, p.Name, lastElem(modPath)}
	// The Linux package is named after the binary (linux.package_name's
	// default), and Debian refuses a summary that starts with it.
	if d, ok := describe(dir, mainFiles, names, strings.ToLower(binary)); ok {
		p.Description = d
	} else {
		p.Description, p.NoDescription = TODODescription, true
	}
	p.ManPages = findManPages(dir, binary)
	p.Tags, p.TagsWhy = fallbackTags(local, m.ImportPath)
	if v, ok := findVersionVar(dir, local, m.ImportPath); ok {
		p.VersionVar = v.String()
		p.VersionFormat, p.FormatWhy = versionFormat(dir, local, v)
	}
	return p, nil
}

// copyrightInSource is the first copyright notice in the comments of the
// main package's files: projects under the Apache license keep it there
// rather than in LICENSE.
func copyrightInSource(files []string) string {
	fset := token.NewFileSet()
	for _, f := range files {
		ast, err := parser.ParseFile(fset, f, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			continue
		}
		for _, g := range ast.Comments {
			if c := copyrightIn(g.Text()); c != "" {
				return c
			}
		}
	}
	return ""
}

// manDirs are the folders a project keeps its manual pages in.
var manDirs = []string{"man/man%s", "man", "doc/man/man%s", "doc/man", "docs/man/man%s", "docs/man", "doc", "docs", "."}

// findManPages finds the manual pages of the command (binary.1 …
// binary.9) and where in the app folder they go: under share/man/manN,
// which Linux packages install into /usr/share/man/manN.
func findManPages(dir, binary string) []config.File {
	var out []config.File
	for section := 1; section <= 9; section++ {
		s := strconv.Itoa(section)
		for _, d := range manDirs {
			rel := path.Join(strings.ReplaceAll(d, "%s", s), binary+"."+s)
			info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
			if err == nil && info.Mode().IsRegular() {
				out = append(out, config.File{Src: rel, Dst: "share/man/man" + s + "/" + binary + "." + s})
				break
			}
		}
	}
	return out
}

// reverseDNS turns a module path such as github.com/acme/tool into
// com.github.acme.tool; a path without a domain gets com.example.
func reverseDNS(modPath, binary string) string {
	parts := strings.Split(modPath, "/")
	host := strings.Split(parts[0], ".")
	if len(host) < 2 {
		return "com.example." + idPart(binary)
	}
	var out []string
	for i := len(host) - 1; i >= 0; i-- {
		out = append(out, idPart(host[i]))
	}
	if len(parts) > 2 && majorSuffix.MatchString(parts[len(parts)-1]) {
		parts = parts[:len(parts)-1] // the v2 of github.com/acme/tool/v2
	}
	for _, p := range parts[1:] {
		out = append(out, idPart(p))
	}
	return strings.Join(out, ".")
}

func idPart(s string) string {
	s = config.Slug(s)
	if s[0] >= '0' && s[0] <= '9' {
		s = "x" + s
	}
	return s
}

// Write renders the starter config to path. It refuses to replace an
// existing file unless force is set.
func Write(path string, p Project, force bool) error {
	if _, err := os.Stat(path); err == nil && !force {
		return exitcode.Config(fmt.Errorf("%s already exists; pass --force to overwrite it", path))
	}
	data, err := templates.Render("init/bundle.yaml.tmpl", p)
	if err != nil {
		return err
	}
	tmp := path + ".bundle-tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("init: %w", err)
	}
	return nil
}
