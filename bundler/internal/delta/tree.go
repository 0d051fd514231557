package delta

import (
	"archive/tar"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	rtdelta "github.com/bundlekit/bundle/runtimehooks/update/delta"
)

// Write writes the delta that makes the files of newDir from those of
// oldDir: a gzip-compressed tar of the manifest, then each patch and each
// file stored whole. A file whose old version at the same path is the
// same is kept; one that changed is patched, unless its patch is larger
// than the file compressed; any other is stored whole. The entries carry
// fixed times, so a delta is the same on every build.
func Write(ctx context.Context, w io.Writer, oldDir, newDir string) error {
	m := rtdelta.Manifest{Format: rtdelta.Format}
	var parts [][]byte
	err := filepath.WalkDir(newDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(newDir, p)
		if err != nil || rel == "." {
			return err
		}
		e := rtdelta.Entry{Path: filepath.ToSlash(rel)}
		switch {
		case d.IsDir():
			e.Dir = true
		case d.Type()&fs.ModeSymlink != 0:
			if e.Link, err = os.Readlink(p); err != nil {
				return err
			}
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.Mode, e.Size, e.SHA256 = uint32(info.Mode().Perm()), int64(len(data)), sum(data)
			part, err := source(ctx, &e, filepath.Join(oldDir, rel), e.Path, data)
			if err != nil {
				return err
			}
			if part != nil {
				e.Data = fmt.Sprintf("d/%d", len(parts))
				parts = append(parts, part)
			}
		default:
			return fmt.Errorf("delta: %s is neither a file, a folder nor a link", rel)
		}
		m.Files = append(m.Files, e)
		return nil
	})
	if err != nil {
		return err
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	entry := func(name string, data []byte) error {
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := entry(rtdelta.ManifestName, manifest); err != nil {
		return err
	}
	for i, part := range parts {
		if err := entry(fmt.Sprintf("d/%d", i), part); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// source sets where the file e (whose bytes are data) comes from: kept
// or patched from the old file at old, when that exists; it returns the
// patch, or the whole file, to store (nil for a file kept).
func source(ctx context.Context, e *rtdelta.Entry, old, rel string, data []byte) ([]byte, error) {
	prev, err := os.ReadFile(old)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	e.Old = sum(prev)
	if e.Old == e.SHA256 {
		e.Keep = rel
		return nil, nil
	}
	var patch bytes.Buffer
	if err := Diff(ctx, prev, data, &patch); err != nil {
		return nil, fmt.Errorf("delta: %s: %w", rel, err)
	}
	if patch.Len() >= flateSize(data) {
		e.Old = ""
		return data, nil
	}
	e.Patch = rel
	return patch.Bytes(), nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// flateSize is how many bytes data takes compressed.
func flateSize(data []byte) int {
	var n countWriter
	fw, _ := flate.NewWriter(&n, flate.DefaultCompression)
	fw.Write(data)
	fw.Close()
	return int(n)
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
