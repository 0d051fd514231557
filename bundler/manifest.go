package bundler

import "github.com/bundlekit/bundle/bundler/internal/artifact"

// Manifest is dist/artifacts.json: every artifact of a build, sorted by
// path. Its JSON, field names, order and omissions, is a contract.
type Manifest struct {
	Name      string     `json:"name"`              // the app's name
	Version   string     `json:"version"`           // the version built
	Partial   bool       `json:"partial,omitempty"` // one job of a split build: Merge joins the jobs
	Artifacts []Artifact `json:"artifacts"`
}

// Artifact is one file in dist, as artifacts.json and checksums.txt list
// it.
type Artifact struct {
	Path   string `json:"path"` // relative to dist, slash-separated
	OS     string `json:"os"`
	Arch   string `json:"arch"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // hex
}

// JSON is the manifest as artifacts.json holds it: indented, ending in a
// newline.
func (m Manifest) JSON() ([]byte, error) { return artifactManifest(m).JSON() }

func manifestOf(m artifact.Manifest) Manifest {
	return Manifest{
		Name:      m.Name,
		Version:   m.Version,
		Partial:   m.Partial,
		Artifacts: convertAll(m.Artifacts, func(a artifact.Artifact) Artifact { return Artifact(a) }),
	}
}

func artifactManifest(m Manifest) artifact.Manifest {
	return artifact.Manifest{
		Name:      m.Name,
		Version:   m.Version,
		Partial:   m.Partial,
		Artifacts: convertAll(m.Artifacts, func(a Artifact) artifact.Artifact { return artifact.Artifact(a) }),
	}
}

// convertAll converts each element of in with f, keeping a nil slice nil
// (it is null in JSON, where an empty one is []).
func convertAll[T, F any](in []F, f func(F) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
