package artifact

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// Merge joins the dists of several builds of one app and version (the jobs
// of a CI matrix, each built with --split) into dist, with one
// checksums.txt and one artifacts.json. It refuses inputs of different apps
// or versions and an artifact two inputs both made, checks every file
// against the hash its manifest lists, and writes each file atomically.
// Like a build, it holds dist's lock while it writes; waiting is called
// once if another build holds it.
func Merge(ctx context.Context, inputs []string, dist string, clean bool, waiting func()) (Manifest, error) {
	if len(inputs) == 0 {
		return Manifest{}, exitcode.Config(fmt.Errorf("merge: name the dist folders of the builds to join, such as dist-linux dist-windows"))
	}
	absDist, _ := filepath.Abs(dist)
	var merged Manifest
	from := map[string]string{} // artifact path -> input it came from
	var first string
	for _, in := range inputs {
		if abs, _ := filepath.Abs(in); abs == absDist {
			return Manifest{}, exitcode.Config(fmt.Errorf("merge: %s is both an input and --dist; write the merged dist elsewhere", in))
		}
		m, err := ReadManifest(in)
		if err != nil {
			return Manifest{}, exitcode.Config(fmt.Errorf("merge: %v", err))
		}
		if m == nil {
			return Manifest{}, exitcode.Config(fmt.Errorf("merge: %s has no %s; pass the dist folder of a finished bundle build", in, ManifestName))
		}
		if first == "" {
			first, merged.Name, merged.Version = in, m.Name, m.Version
		} else if m.Name != merged.Name || m.Version != merged.Version {
			return Manifest{}, exitcode.Config(fmt.Errorf("merge: %s holds %s %s but %s holds %s %s; merge builds of one version only", in, m.Name, m.Version, first, merged.Name, merged.Version))
		}
		for _, a := range m.Artifacts {
			if prev, dup := from[a.Path]; dup {
				return Manifest{}, exitcode.Config(fmt.Errorf("merge: %s is in both %s and %s; give each build its own --target", a.Path, prev, in))
			}
			from[a.Path] = in
			merged.Artifacts = append(merged.Artifacts, a)
		}
	}
	for _, a := range merged.Artifacts {
		sum, err := SHA256File(from[a.Path], a.Path)
		if err != nil {
			return Manifest{}, fmt.Errorf("merge: %w", err)
		}
		if sum != a.SHA256 {
			return Manifest{}, fmt.Errorf("merge: %s in %s does not match its sha256 in %s; the file changed after its build", a.Path, from[a.Path], ManifestName)
		}
	}
	_, journal, err := PrepareDist(ctx, dist, DistOptions{Name: merged.Name, Version: merged.Version, Clean: clean, Waiting: waiting})
	if err != nil {
		return Manifest{}, err
	}
	defer journal.Close()
	for _, a := range merged.Artifacts {
		if _, _, err := journal.WriteFile(a.Path, func(w io.Writer) error { return copyInto(w, from[a.Path], a.Path) }); err != nil {
			return Manifest{}, fmt.Errorf("merge: %s: %w", a.Path, err)
		}
	}
	if err := merged.Write(dist); err != nil {
		return Manifest{}, fmt.Errorf("merge: %w", err)
	}
	if err := journal.Finish(merged); err != nil {
		return Manifest{}, fmt.Errorf("merge: %w", err)
	}
	merged.Sort()
	return merged, nil
}

func copyInto(w io.Writer, dir, name string) error {
	f, err := openRegular(dir, name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
