// Package scaffold writes a starter bundle.yaml for the Go module in a
// folder, filled in from what `go list` says about it.
package scaffold

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bundlekit/bundle/bundler/config"
	"github.com/bundlekit/bundle/bundler/exitcode"
	"github.com/bundlekit/bundle/bundler/gomod"
	"github.com/bundlekit/bundle/templates"
)

// Project is what the starter config is filled in with.
type Project struct {
	Name, ID, Binary, Main, Description string
	Targets                             []string
}

// Detect inspects the module in dir: its path gives the name and id, and
// its main packages the main: key (the one at the root, else the first
// under cmd/, else the first found).
func Detect(ctx context.Context, dir string) (Project, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Project{}, fmt.Errorf("init: %w", err)
	}
	pkgs, err := gomod.List(ctx, dir, nil, nil, "./...")
	if err != nil {
		return Project{}, exitcode.Config(fmt.Errorf("%v; run bundle init in a Go module (go mod init)", err))
	}
	var mains []gomod.Package
	for _, p := range pkgs {
		if p.Name == "main" && p.Error == nil {
			mains = append(mains, p)
		}
	}
	if len(mains) == 0 {
		return Project{}, exitcode.Config(errors.New("no main package in this module; bundle init needs a Go module with a main package"))
	}
	sort.Slice(mains, func(i, j int) bool { return rank(mains[i], dir) < rank(mains[j], dir) })
	m := mains[0]
	rel, err := filepath.Rel(dir, m.Dir)
	if err != nil {
		return Project{}, fmt.Errorf("init: %w", err)
	}
	main := "./" + filepath.ToSlash(rel)
	if rel == "." {
		main = "."
	}
	binary := path.Base(m.ImportPath)
	if main == "." && m.Module != nil {
		binary = path.Base(m.Module.Path)
	}
	binary = config.Slug(binary)
	modPath := m.ImportPath
	if m.Module != nil {
		modPath = m.Module.Path
	}
	return Project{
		Name:        strings.ToUpper(binary[:1]) + binary[1:],
		ID:          reverseDNS(modPath, binary),
		Binary:      binary,
		Main:        main,
		Description: binary + " packaged with bundle",
		Targets:     config.DefaultTargets,
	}, nil
}

// rank orders candidate main packages: the module root first, then cmd/…,
// then the rest, each by path.
func rank(p gomod.Package, dir string) string {
	rel, _ := filepath.Rel(dir, p.Dir)
	switch {
	case rel == ".":
		return "0"
	case strings.HasPrefix(filepath.ToSlash(rel), "cmd/"):
		return "1" + rel
	}
	return "2" + rel
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
