package artifact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
)

// Names of the files that describe dist.
const (
	ManifestName  = "artifacts.json"
	ChecksumsName = "checksums.txt"
)

// Manifest is the content of artifacts.json.
type Manifest struct {
	Name      string     `json:"name"`
	Version   string     `json:"version"`
	Partial   bool       `json:"partial,omitempty"` // one job of a split build: bundle merge joins the jobs
	Artifacts []Artifact `json:"artifacts"`
}

// Sort orders the artifacts by path so the files are the same on every run.
func (m *Manifest) Sort() {
	sort.Slice(m.Artifacts, func(i, j int) bool { return m.Artifacts[i].Path < m.Artifacts[j].Path })
}

// write writes checksums.txt and then artifacts.json into dist, each
// atomically; artifacts.json comes last, so its presence means the build
// finished.
func (m Manifest) write(dist string) error {
	m.Sort()
	if m.Artifacts == nil {
		m.Artifacts = []Artifact{}
	}
	if _, _, err := WriteFile(dist, ChecksumsName, func(w io.Writer) error {
		_, err := w.Write(m.Checksums())
		return err
	}); err != nil {
		return fmt.Errorf("write %s: %w", ChecksumsName, err)
	}
	data, err := m.JSON()
	if err != nil {
		return err
	}
	if _, _, err := WriteFile(dist, ManifestName, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}); err != nil {
		return fmt.Errorf("write %s: %w", ManifestName, err)
	}
	return nil
}

// Checksums is checksums.txt for the manifest's artifacts, in their
// order: sha256sum's text format, the hash, two spaces and the path.
func (m Manifest) Checksums() []byte {
	var b bytes.Buffer
	for _, a := range m.Artifacts {
		fmt.Fprintf(&b, "%s  %s\n", a.SHA256, a.Path)
	}
	return b.Bytes()
}

// JSON is the manifest as artifacts.json holds it: indented, ending in a
// newline.
func (m Manifest) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode %s: %w", ManifestName, err)
	}
	return b.Bytes(), nil
}

// ReadManifest reads dist/artifacts.json. It returns (nil, nil) when there
// is none. It refuses a manifest that is not a regular file or lists a
// path that is not a file name in dist, so no path in it can lead out.
func ReadManifest(dist string) (*Manifest, error) {
	f, err := openRegular(dist, ManifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	path := filepath.Join(dist, ManifestName)
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, a := range m.Artifacts {
		if !isFileName(a.Path) {
			return nil, fmt.Errorf("%s: artifact path %q is not a file name in dist", path, a.Path)
		}
	}
	return &m, nil
}
