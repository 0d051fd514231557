package artifact

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// MergeOptions are Merge's settings besides its inputs and dist.
type MergeOptions struct {
	Clean   bool   // first remove what earlier builds wrote in dist
	Waiting func() // called once if another build holds dist's lock
	// Joined picks the artifacts every input has its own version of,
	// which the caller joins (the update feeds): merge does not copy them.
	Joined func(Artifact) bool
	// Join makes the joined files from the merged manifest of the other
	// artifacts, once every input is checked and before dist is touched.
	Join func(merged Manifest) ([]Made, error)
}

// Made is a file the caller of Merge made: its entry in artifacts.json
// (without size and hash, which Merge fills in) and its bytes.
type Made struct {
	Artifact Artifact
	Data     []byte
}

// Merge joins the dists of several builds of one app and version (the jobs
// of a CI matrix, each built with --split) into dist, with one
// checksums.txt and one artifacts.json. It refuses inputs of different apps
// or versions, an artifact two inputs both made, and two names only case
// tells apart; it checks every file against the hash its manifest lists as
// it reads it, writes each file atomically, and hashes what it wrote again
// before it writes checksums.txt. Like a build, it holds dist's lock while
// it writes.
func Merge(ctx context.Context, inputs []string, dist string, o MergeOptions) (Manifest, error) {
	if len(inputs) == 0 {
		return Manifest{}, exitcode.Config(fmt.Errorf("merge: name the dist folders of the builds to join, such as dist-linux dist-windows"))
	}
	var merged Manifest
	from := map[string]string{}   // artifact path -> input it came from
	folded := map[string]string{} // the path as a case-insensitive file system sees it -> path
	var first string
	for _, in := range inputs {
		if err := notDist(in, dist); err != nil {
			return Manifest{}, err
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
			if o.Joined != nil && o.Joined(a) {
				continue
			}
			if prev, dup := from[a.Path]; dup {
				return Manifest{}, exitcode.Config(fmt.Errorf("merge: %s is in both %s and %s; give each build its own --target", a.Path, prev, in))
			}
			key := foldName(a.Path)
			if other, clash := folded[key]; clash {
				return Manifest{}, exitcode.Config(fmt.Errorf("merge: %s in %s and %s in %s differ only in case, and would be one file on macOS and Windows; rename one", a.Path, in, other, from[other]))
			}
			from[a.Path], folded[key] = in, a.Path
			merged.Artifacts = append(merged.Artifacts, a)
		}
	}
	// Checked before dist is touched, so a changed input costs nothing.
	for _, a := range merged.Artifacts {
		sum, err := SHA256File(from[a.Path], a.Path)
		if err != nil {
			return Manifest{}, fmt.Errorf("merge: %w", err)
		}
		if sum != a.SHA256 {
			return Manifest{}, fmt.Errorf("merge: %s in %s does not match its sha256 in %s; the file changed after its build", a.Path, from[a.Path], ManifestName)
		}
	}
	var made []Made
	if o.Join != nil {
		var err error
		if made, err = o.Join(merged); err != nil {
			return Manifest{}, err
		}
		for _, m := range made {
			if other, clash := folded[foldName(m.Artifact.Path)]; clash {
				return Manifest{}, exitcode.Config(fmt.Errorf("merge: %s, which merge writes, and %s in %s would be one file on macOS and Windows; rename %s", m.Artifact.Path, other, from[other], other))
			}
		}
	}
	_, journal, err := PrepareDist(ctx, dist, DistOptions{Name: merged.Name, Version: merged.Version, Clean: o.Clean, Waiting: o.Waiting})
	if err != nil {
		return Manifest{}, err
	}
	defer journal.Close()
	for _, in := range inputs { // dist exists now, and may have been made a link to an input
		if err := notDist(in, dist); err != nil {
			return Manifest{}, err
		}
	}
	for _, a := range merged.Artifacts {
		if _, _, err := journal.WriteFile(a.Path, func(w io.Writer) error { return copyChecked(w, from[a.Path], a) }); err != nil {
			return Manifest{}, fmt.Errorf("merge: %s: %w", a.Path, err)
		}
	}
	for _, m := range made {
		size, sum, err := journal.WriteFile(m.Artifact.Path, func(w io.Writer) error {
			_, err := w.Write(m.Data)
			return err
		})
		if err != nil {
			return Manifest{}, fmt.Errorf("merge: %s: %w", m.Artifact.Path, err)
		}
		a := m.Artifact
		a.Size, a.SHA256 = size, sum
		merged.Artifacts = append(merged.Artifacts, a)
	}
	// What checksums.txt lists is read back from dist, not taken on trust.
	for _, a := range merged.Artifacts {
		sum, err := SHA256File(dist, a.Path)
		if err != nil {
			return Manifest{}, fmt.Errorf("merge: %w", err)
		}
		if sum != a.SHA256 {
			return Manifest{}, fmt.Errorf("merge: %s changed in %s after merge wrote it; run merge again", a.Path, dist)
		}
	}
	if err := journal.Finish(merged); err != nil {
		return Manifest{}, fmt.Errorf("merge: %w", err)
	}
	merged.Sort()
	return merged, nil
}

// notDist refuses an input that is dist itself, however each is named:
// the two are compared as folders (device and inode, links followed), not
// as paths.
func notDist(in, dist string) error {
	a, err := os.Stat(in)
	if err != nil {
		return nil // ReadManifest says why it cannot be read
	}
	d, err := os.Stat(dist)
	if err != nil || !os.SameFile(a, d) {
		return nil
	}
	return exitcode.Config(fmt.Errorf("merge: %s is both an input and --dist %s (the same folder); write the merged dist elsewhere", in, dist))
}

// foldName is name as a case-insensitive, normalization-insensitive file
// system (macOS's APFS, Windows's NTFS) compares it.
func foldName(name string) string {
	return norm.NFC.String(cases.Fold().String(name))
}

// copyChecked copies dir/a.Path into w, hashing what it reads: an input
// rewritten since Merge checked it fails here, before the copy is renamed
// into dist.
func copyChecked(w io.Writer, dir string, a Artifact) error {
	ok, err := CopyVerified(w, dir, a.Path, a.SHA256)
	if err == nil && !ok {
		err = fmt.Errorf("%s changed in %s while merge copied it; run merge again", a.Path, dir)
	}
	return err
}

// CopyVerified copies the regular file dir/name (never through a link)
// into w, hashing what it reads, and reports whether its SHA-256 is sum:
// what is copied is what was checked, whatever happens to the file after.
func CopyVerified(w io.Writer, dir, name, sum string) (bool, error) {
	f, err := openRegular(dir, name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(w, h), f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == sum, nil
}
