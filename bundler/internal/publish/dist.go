package publish

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// File is one file of the release: an artifact, checksums.txt or
// artifacts.json.
type File struct {
	Name   string
	Size   int64
	SHA256 string
}

// Dist is a finished build's dist folder, checked: every file listed is
// there with its size and digest, and checksums.txt agrees.
type Dist struct {
	Dir      string
	App      string
	Version  string
	Files    []File // the artifacts, then checksums.txt and artifacts.json
	Manifest artifact.Manifest
}

// LoadDist reads and checks dir. Anything wrong is a configuration error
// (exit 2) that names the file and what to do, found before anything is
// sent anywhere.
func LoadDist(dir string) (*Dist, error) {
	m, err := artifact.ReadManifest(dir)
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("%s: %w; build again with bundle build", filepath.Join(dir, artifact.ManifestName), err))
	}
	if m == nil {
		return nil, exitcode.Config(fmt.Errorf("%s: no %s, so no finished build is there; run bundle build --dist %s first",
			dir, artifact.ManifestName, dir))
	}
	if m.Partial {
		return nil, exitcode.Config(fmt.Errorf("%s: one job of a split build (partial: true); publish what bundle merge --dist DIR %s … writes",
			filepath.Join(dir, artifact.ManifestName), dir))
	}
	if len(m.Artifacts) == 0 {
		return nil, exitcode.Config(fmt.Errorf("%s lists no artifacts; nothing to publish", filepath.Join(dir, artifact.ManifestName)))
	}
	d := &Dist{Dir: dir, App: m.Name, Version: m.Version, Manifest: *m}
	for _, a := range m.Artifacts {
		size, sum, err := hashFile(dir, a.Path)
		if err != nil {
			return nil, exitcode.Config(fmt.Errorf("%s: %w; build again with bundle build", filepath.Join(dir, a.Path), err))
		}
		if size != a.Size || sum != a.SHA256 {
			return nil, exitcode.Config(fmt.Errorf("%s: its sha256 %s (%d bytes) is not the %s (%d bytes) %s lists: the file changed after the build; build again",
				filepath.Join(dir, a.Path), sum, size, a.SHA256, a.Size, artifact.ManifestName))
		}
		d.Files = append(d.Files, File{Name: a.Path, Size: a.Size, SHA256: a.SHA256})
	}
	sorted := *m
	sorted.Sort()
	checksums, err := artifact.ReadSmall(dir, artifact.ChecksumsName, 16<<20)
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("%s: %w; build again with bundle build", filepath.Join(dir, artifact.ChecksumsName), err))
	}
	if !bytes.Equal(checksums, sorted.Checksums()) {
		return nil, exitcode.Config(fmt.Errorf("%s does not list the files and digests %s lists; build again with bundle build",
			filepath.Join(dir, artifact.ChecksumsName), artifact.ManifestName))
	}
	for _, name := range []string{artifact.ChecksumsName, artifact.ManifestName} {
		size, sum, err := hashFile(dir, name)
		if err != nil {
			return nil, exitcode.Config(fmt.Errorf("%s: %w", filepath.Join(dir, name), err))
		}
		d.Files = append(d.Files, File{Name: name, Size: size, SHA256: sum})
	}
	return d, nil
}

// Open opens one of the dist's files for an upload.
func (d *Dist) Open(name string) (io.ReadCloser, error) { return artifact.Open(d.Dir, name) }

// hashFile is artifact.HashFile with the path left out of its error,
// which the caller names.
func hashFile(dir, name string) (int64, string, error) {
	size, sum, err := artifact.HashFile(dir, name)
	if err != nil {
		return 0, "", unwrapPath(err)
	}
	return size, sum, nil
}

// unwrapPath drops the path from an *os.PathError, which the caller names
// already.
func unwrapPath(err error) error {
	var pe interface{ Unwrap() error }
	if errors.As(err, &pe) {
		if inner := pe.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}
