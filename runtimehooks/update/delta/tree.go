package delta

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bundlekit/bundle/runtimehooks/update/archive"
)

// ManifestName is the first entry of a delta file.
const ManifestName = "delta.json"

// Format is the version of the layout this package reads and writes.
const Format = 1

// Manifest lists every file of the new version, in the order they are
// made.
type Manifest struct {
	Format int     `json:"format"`
	Files  []Entry `json:"files"`
}

// Entry is one file, folder or symbolic link of the new version. For a
// file, Keep, Patch or Data (alone) says where it comes from.
type Entry struct {
	Path   string `json:"path"`           // slash-separated, below the version's folder
	Dir    bool   `json:"dir,omitempty"`  // a folder, made even when empty
	Mode   uint32 `json:"mode,omitempty"` // permission bits of a file
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"` // of the new file
	Link   string `json:"link,omitempty"`   // a symbolic link's target, relative
	// Keep and Patch name the old version's file this one is made of,
	// unchanged or patched; Old is that file's SHA-256, checked first.
	Keep  string `json:"keep,omitempty"`
	Patch string `json:"patch,omitempty"`
	Old   string `json:"old,omitempty"`
	// Data is the delta's entry that holds the patch, or the whole file
	// when neither Keep nor Patch is set.
	Data string `json:"data,omitempty"`
}

// ErrOldChanged is ApplyTree's error when an installed file is not the
// one the delta was made from (edited, or another version): the caller
// downloads the whole release instead.
var ErrOldChanged = errors.New("the installed files are not those the delta was made from")

// maxManifest bounds delta.json, and maxExpand what a delta unpacks to
// against its own size.
const (
	maxManifest = 16 << 20
	maxExpand   = 64
)

// ApplyTree makes in newDir (which must not exist) the files of the new
// version from the delta file at deltaPath and the old version's files
// in oldDir. Every file made is checked against its SHA-256 before the
// next; links are made last. On an error newDir may hold part of the
// version: the caller removes it.
func ApplyTree(deltaPath, oldDir, newDir string) error {
	f, err := os.Open(deltaPath)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := os.Mkdir(newDir, 0o755); err != nil {
		return err
	}
	// The patches and whole files land in a folder beside the new files
	// first: a patch is read at three places at once.
	work := newDir + ".parts"
	os.RemoveAll(work) // left by an apply that was killed
	if err := os.Mkdir(work, 0o700); err != nil {
		return err
	}
	defer os.RemoveAll(work)
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("delta: %s: %w", filepath.Base(deltaPath), err)
	}
	tr := tar.NewReader(gz)
	h, err := tr.Next()
	if err != nil || h.Name != ManifestName || h.Size > maxManifest {
		return fmt.Errorf("delta: %s is not a delta (no %s first)", filepath.Base(deltaPath), ManifestName)
	}
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(tr, maxManifest)).Decode(&m); err != nil {
		return fmt.Errorf("delta: %s: %w", ManifestName, err)
	}
	if err := m.check(); err != nil {
		return err
	}
	// A delta is checked against the signed feed before it is opened;
	// the budget is against a mistake filling the disk.
	info, err := f.Stat()
	if err != nil {
		return err
	}
	budget := info.Size()*maxExpand + 1<<20
	parts := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("delta: %w", err)
		}
		if h.Typeflag != tar.TypeReg || !plainPart(h.Name) || parts[h.Name] != "" {
			return fmt.Errorf("delta: unexpected entry %q", h.Name)
		}
		if budget -= h.Size; budget < 0 {
			return fmt.Errorf("delta: %s unpacks to more than %d times its size", filepath.Base(deltaPath), maxExpand)
		}
		p := filepath.Join(work, fmt.Sprint(len(parts)))
		if err := writeFile(p, 0o600, tr, ""); err != nil {
			return err
		}
		parts[h.Name] = p
	}
	for _, e := range m.Files {
		var err error
		switch {
		case e.Link != "":
		case e.Dir:
			err = os.MkdirAll(filepath.Join(newDir, filepath.FromSlash(e.Path)), 0o755)
		default:
			err = e.make(oldDir, newDir, parts)
		}
		if err != nil {
			return err
		}
	}
	var links []archive.Link
	for _, e := range m.Files {
		if e.Link != "" {
			links = append(links, archive.Link{Rel: e.Path, Target: e.Link})
		}
	}
	return archive.MakeLinks(newDir, links)
}

// make makes one file of the new version.
func (e Entry) make(oldDir, newDir string, parts map[string]string) error {
	dst := filepath.Join(newDir, filepath.FromSlash(e.Path))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	perm := os.FileMode(e.Mode).Perm()
	if e.Keep == "" && e.Patch == "" {
		src, ok := parts[e.Data]
		if !ok {
			return fmt.Errorf("delta: %s: no entry %s", e.Path, e.Data)
		}
		r, err := os.Open(src)
		if err != nil {
			return err
		}
		defer r.Close()
		return writeSized(dst, perm, r, e.SHA256, e.Size)
	}
	oldPath := filepath.Join(oldDir, filepath.FromSlash(e.Keep+e.Patch))
	old, err := os.Open(oldPath)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrOldChanged, e.Keep+e.Patch, err)
	}
	defer old.Close()
	if sum, err := fileSHA256(old); err != nil || sum != e.Old {
		return fmt.Errorf("%w: %s changed", ErrOldChanged, e.Keep+e.Patch)
	}
	if e.Keep != "" {
		return writeSized(dst, perm, io.NewSectionReader(old, 0, 1<<62), e.SHA256, e.Size)
	}
	src, ok := parts[e.Data]
	if !ok {
		return fmt.Errorf("delta: %s: no entry %s", e.Path, e.Data)
	}
	patch, err := os.Open(src)
	if err != nil {
		return err
	}
	defer patch.Close()
	oldInfo, err := old.Stat()
	if err != nil {
		return err
	}
	patchInfo, err := patch.Stat()
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(Patch(old, oldInfo.Size(), patch, patchInfo.Size(), pw)) }()
	err = writeSized(dst, perm, pr, e.SHA256, e.Size)
	pr.CloseWithError(err)
	return err
}

// writeFile creates p from r and, when want is set, checks that what it
// wrote has that SHA-256.
func writeFile(p string, perm os.FileMode, r io.Reader, want string) error {
	return writeSized(p, perm, r, want, -1)
}

// writeSized is writeFile that also stops after size bytes (when not
// negative): a patch that would make more fails its hash instead of
// filling the disk.
func writeSized(p string, perm os.FileMode, r io.Reader, want string, size int64) error {
	if size >= 0 {
		r = io.LimitReader(r, size)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm|0o200)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && want != "" && hex.EncodeToString(h.Sum(nil)) != want {
		err = fmt.Errorf("delta: %s does not have the SHA-256 the delta lists", filepath.Base(p))
	}
	if err == nil && perm&0o200 == 0 {
		err = os.Chmod(p, perm)
	}
	return err
}

func fileSHA256(f *os.File) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, 1<<62)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// check refuses a manifest of another format, a path that leads out of
// the folder or appears twice, a link that could, and an entry that names
// no source or two.
func (m *Manifest) check() error {
	if m.Format != Format {
		return fmt.Errorf("delta: format %d, this client reads format %d", m.Format, Format)
	}
	seen := map[string]bool{}
	for _, e := range m.Files {
		sources := 0
		for _, s := range []string{e.Link, e.Keep, e.Patch} {
			if s != "" {
				sources++
			}
		}
		if e.Dir {
			sources++
		}
		if e.Link != "" {
			if err := archive.CheckLink(e.Path, e.Link); err != nil {
				return fmt.Errorf("delta: %w", err)
			}
		}
		switch {
		case !relPath(e.Path) || seen[e.Path]:
			return fmt.Errorf("delta: bad or repeated path %q", e.Path)
		case sources > 1:
			return fmt.Errorf("delta: %s: more than one source", e.Path)
		case e.Dir:
		case e.Link == "" && (len(e.SHA256) != 64 || e.Keep == "" && e.Data == ""):
			return fmt.Errorf("delta: %s: no SHA-256 or no source", e.Path)
		case (e.Keep != "" || e.Patch != "") && (!relPath(e.Keep+e.Patch) || len(e.Old) != 64):
			return fmt.Errorf("delta: %s: bad old file %q", e.Path, e.Keep+e.Patch)
		case e.Patch != "" && e.Data == "":
			return fmt.Errorf("delta: %s: a patch with no data", e.Path)
		}
		seen[e.Path] = true
	}
	return nil
}

// relPath reports whether p is a clean relative slash path inside its folder.
func relPath(p string) bool {
	return p != "" && p == path.Clean(p) && !path.IsAbs(p) && p != ".." && !strings.HasPrefix(p, "../") && !strings.Contains(p, "\\") && p != "."
}

// plainPart reports whether name is a delta entry name as Write makes them.
func plainPart(name string) bool {
	return relPath(name) && name != ManifestName
}
