// Package hook compiles bundle's runtime hook into an app without touching
// the app's files: it prepares a `go build -overlay` that adds a generated
// file to package main (calling worker.Dispatch from init) and, when the
// app does not import the public worker package itself, the worker
// package's source as a new package inside the app's own module
// (<module>/internal/zzbundlert/worker). No go.mod, go.sum, vendor/ or
// go.work change is needed, so vendored modules and workspaces work as they
// are.
package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/gomod"
	"github.com/bundlekit/bundle/runtimehooks"
	"github.com/bundlekit/bundle/templates"
)

// PublicImport is the worker package's import path for apps that use its
// API directly.
const PublicImport = "github.com/bundlekit/bundle/runtimehooks/worker"

// StampPrefix starts the string linked into every hooked binary
// ("bundle-runtime-hook/v1;guard=refuse;grace=5s;max_procs=64;end"), so `bundle inspect`
// can read the hook's settings from the file instead of guessing.
const StampPrefix = "bundle-runtime-hook/v1;"

// injectedDir is where the embedded copy goes inside the user's module.
const injectedDir = "internal/zzbundlert/worker"

// Request describes the app to hook.
type Request struct {
	Dir      string   // where go runs: the project directory
	Main     string   // the main package, relative to Dir
	Env      []string // the build's environment (GOOS, GOARCH, CGO_ENABLED, GOFLAGS, build.env …)
	Flags    []string // the user's go build flags (a -overlay among them is merged)
	Tags     []string // build tags
	Guard    string   // chain, refuse, warn or off
	Grace    string   // a duration such as 5s
	MaxProcs int      // the lineage cap (runtime.max_procs)
	Version  string   // the app's version
}

// Plan is how to build the hooked app.
type Plan struct {
	Overlay    string   // the -overlay JSON file to pass to go build
	Ldflags    []string // -X settings of the guard mode and grace period
	Flags      []string // Request.Flags without their -overlay, which Overlay now includes
	ImportPath string   // the worker package the generated file imports
	Injected   bool     // true: the embedded copy; false: the app's own import
	Stamp      string   // the string the linked executable holds (Stamped)
	Env        []string // what go build needs added to its environment for Overlay
	UsesUpdate bool     // the app imports runtimehooks/update, whose version bundle sets
}

// UpdateImport is the update client's import path.
const UpdateImport = "github.com/bundlekit/bundle/runtimehooks/update"

// Prepare writes the overlay and the files it points to under work and
// returns how to build. It refuses, with an error naming the path, when the
// files it would add already exist on disk.
func Prepare(ctx context.Context, r Request, work string) (*Plan, error) {
	var listFlags []string
	if len(r.Tags) > 0 {
		listFlags = append(listFlags, "-tags="+strings.Join(r.Tags, ","))
	}
	flags, userOverlays := splitOverlay(r.Flags)
	pkgs, err := gomod.List(ctx, r.Dir, r.Env, append(listFlags, flags...), r.Main)
	if err != nil {
		return nil, fmt.Errorf("hook: %w", err)
	}
	if len(pkgs) != 1 || pkgs[0].Error != nil || pkgs[0].Name != "main" || pkgs[0].Module == nil {
		return nil, exitcode.Config(fmt.Errorf("hook: %s is not a main package of a Go module", r.Main))
	}
	pkg := pkgs[0]

	replace := map[string]string{}
	plan := &Plan{Flags: flags, ImportPath: PublicImport, UsesUpdate: slices.Contains(pkg.Deps, UpdateImport)}
	if !slices.Contains(pkg.Deps, PublicImport) {
		plan.Injected = true
		plan.ImportPath = pkg.Module.Path + "/" + injectedDir
		dest := filepath.Join(pkg.Module.Dir, filepath.FromSlash(injectedDir))
		if _, err := os.Stat(dest); err == nil {
			return nil, exitcode.Config(fmt.Errorf("hook: %s exists in the project, where bundle injects its runtime hook; remove it, or set runtime.hook: false", dest))
		}
		src, err := runtimehooks.WorkerSource()
		if err != nil {
			return nil, err
		}
		for name, data := range src {
			backing := filepath.Join(work, "worker", name)
			if err := writeFile(backing, data); err != nil {
				return nil, err
			}
			replace[filepath.Join(dest, name)] = backing
		}
	}

	name := hookFileName(goFilesIn(pkg.Dir))
	if _, err := os.Stat(filepath.Join(pkg.Dir, name)); err == nil {
		return nil, exitcode.Config(fmt.Errorf("hook: %s exists in the project; bundle generates that file at build time, so remove it", filepath.Join(pkg.Dir, name)))
	}
	src, err := templates.Render("hook/zz_bundle_hook.go.tmpl", plan)
	if err != nil {
		return nil, err
	}
	backing := filepath.Join(work, name)
	if err := writeFile(backing, src); err != nil {
		return nil, err
	}
	replace[filepath.Join(pkg.Dir, name)] = backing

	goenv, err := gomod.Env(ctx, r.Dir, r.Env, "GOFLAGS", "GOMODCACHE")
	if err != nil {
		return nil, fmt.Errorf("hook: %w", err)
	}
	if goenv["GOMODCACHE"] == "" {
		// With HOME unset (and no GOPATH or GOMODCACHE) go has no module
		// cache, and then refuses every -overlay: it takes the empty path
		// for a folder holding all of them. The go list above loaded the
		// app and all it imports without a module cache, so go build will
		// not need one either: this folder of the build's own only gives
		// the overlay a cache it is not in, and nothing is written to it.
		plan.Env = []string{"GOMODCACHE=" + filepath.Join(work, "gomodcache")}
	}
	for _, f := range userOverlayFiles(r.Dir, goenv["GOFLAGS"], userOverlays) {
		if err := mergeOverlay(replace, f, r.Dir); err != nil {
			return nil, err
		}
	}
	data, err := json.MarshalIndent(map[string]any{"Replace": replace}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("hook: %w", err)
	}
	plan.Overlay = filepath.Join(work, "overlay.json")
	if err := writeFile(plan.Overlay, data); err != nil {
		return nil, err
	}
	procs := strconv.Itoa(r.MaxProcs)
	plan.Stamp = StampPrefix + "guard=" + r.Guard + ";grace=" + r.Grace + ";max_procs=" + procs + ";end"
	plan.Ldflags = []string{
		"-X=" + plan.ImportPath + ".buildGuard=" + r.Guard,
		"-X=" + plan.ImportPath + ".buildGrace=" + r.Grace,
		"-X=" + plan.ImportPath + ".buildMaxProcs=" + procs,
		"-X=" + plan.ImportPath + ".buildAppID=" + appID(pkg, r),
		"-X=" + plan.ImportPath + ".buildStamp=" + plan.Stamp,
	}
	return plan, nil
}

// Stamped reports whether the executable at path holds stamp: the proof,
// read from what was linked, that the runtime hook is in it with these
// settings. It reads the file in pieces, so a large executable costs no
// more memory than a small one.
func Stamped(path, stamp string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	want := []byte(stamp)
	buf := make([]byte, 1<<20+len(want))
	kept := 0 // the end of the last piece, which may hold the stamp's start
	for {
		n, err := io.ReadFull(f, buf[kept:])
		if bytes.Contains(buf[:kept+n], want) {
			return true, nil
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		kept = copy(buf, buf[kept+n-(len(want)-1):kept+n])
	}
}

// appID is the program's identity for the guard (the worker package's
// buildAppID): the same for every copy and link of one build, and for the
// builds of every architecture of an OS, and another for another program
// or version. Linked in, it spares the program reading its build
// information and its file at every start. Reproducible: it hashes only
// what the build is made of.
func appID(pkg gomod.Package, r Request) string {
	h := fnv.New64a()
	for _, s := range []string{pkg.Module.Path, pkg.ImportPath, r.Version, r.Guard, r.Grace, strconv.Itoa(r.MaxProcs), strings.Join(r.Tags, ",")} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// hookFileName picks a file name that sorts after every file of the
// package, so the generated init runs after the app's own init functions
// (Go runs a package's init functions in file-name order).
func hookFileName(files []string) string {
	sort.Strings(files)
	name := "zz_bundle_hook.go"
	for len(files) > 0 && files[len(files)-1] >= name {
		name = "z" + name
	}
	return name
}

// goFilesIn lists every .go file in dir, whatever its build constraints, so
// the hook's file name sorts after all of them on every GOOS/GOARCH and one
// plan serves every architecture of an OS.
func goFilesIn(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var files []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") {
			files = append(files, e.Name())
		}
	}
	return files
}

// splitOverlay takes -overlay flags out of the user's go build flags.
func splitOverlay(flags []string) (rest, overlays []string) {
	for _, f := range flags {
		if v, ok := strings.CutPrefix(f, "-overlay="); ok {
			overlays = append(overlays, v)
			continue
		}
		if v, ok := strings.CutPrefix(f, "--overlay="); ok {
			overlays = append(overlays, v)
			continue
		}
		rest = append(rest, f)
	}
	return rest, overlays
}

// userOverlayFiles returns the overlay files the user asked for: in build
// flags, and in goflags (GOFLAGS, the environment's or `go env -w`'s),
// which a command-line -overlay would otherwise silently replace. Relative
// paths are made absolute against dir, where go runs.
func userOverlayFiles(dir, goflags string, fromFlags []string) []string {
	_, fromEnv := splitOverlay(strings.Fields(goflags))
	files := append(fromEnv, fromFlags...)
	for i, f := range files {
		if !filepath.IsAbs(f) {
			files[i] = filepath.Join(dir, f)
		}
	}
	return files
}

// mergeOverlay adds the Replace map of the overlay file at path to replace,
// making relative paths absolute against dir, where go build runs. A path
// both want to replace is an error: one of them would be dropped.
func mergeOverlay(replace map[string]string, path, dir string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return exitcode.Config(fmt.Errorf("hook: your -overlay file: %v", err))
	}
	var o struct{ Replace map[string]string }
	if err := json.Unmarshal(data, &o); err != nil {
		return exitcode.Config(fmt.Errorf("hook: your -overlay file %s: %v", path, err))
	}
	for k, v := range o.Replace {
		if !filepath.IsAbs(k) {
			k = filepath.Join(dir, k)
		}
		if v != "" && !filepath.IsAbs(v) {
			v = filepath.Join(dir, v)
		}
		if _, clash := replace[k]; clash {
			return exitcode.Config(fmt.Errorf("hook: your -overlay file %s replaces %s, which bundle's runtime hook also adds; drop that entry or set runtime.hook: false", path, k))
		}
		replace[k] = v
	}
	return nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("hook: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("hook: %w", err)
	}
	return nil
}
