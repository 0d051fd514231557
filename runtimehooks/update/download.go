package update

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Download fetches a's file into the state folder and returns its path
// once its size and SHA-256 match the feed. An interrupted download is
// resumed from where it stopped (an HTTP Range request; a server that
// ignores it sends the whole file again). progress, when not nil, is
// called as bytes arrive. A file that does not match is removed.
//
// When the feed offers a delta from the running version and the app was
// installed as a folder or a .app bundle, the delta is downloaded instead
// (a few percent of the whole, for a patch release); a delta that cannot
// be had costs the whole file, nothing else, and so does one that Apply
// finds does not fit the installed files.
func (u *Updater) Download(ctx context.Context, a *Available, progress func(done, total int64)) (string, error) {
	if d, ok := u.usableDelta(a); ok {
		if path, err := u.download(ctx, d, progress); err == nil {
			a.deltaPath = path
			return path, nil
		}
	}
	return u.download(ctx, a.File, progress)
}

// usableDelta returns a's delta as a file to download, if it applies to
// the running version and this install's kind.
func (u *Updater) usableDelta(a *Available) (File, bool) {
	d := a.File.Delta
	if d == nil || a.File.Kind != Portable && a.File.Kind != App {
		return File{}, false
	}
	if from, err := ParseVersion(d.From); err != nil || from.Compare(u.current) != 0 {
		return File{}, false
	}
	return File{OS: a.File.OS, Arch: a.File.Arch, Kind: a.File.Kind, Format: "delta", Name: d.Name, URL: d.URL, Size: d.Size, SHA256: d.SHA256}, true
}

// download fetches f into the state folder, resuming, and checks it.
func (u *Updater) download(ctx context.Context, f File, progress func(done, total int64)) (string, error) {
	if err := checkURL(f.URL); err != nil {
		return "", fmt.Errorf("update: %w", err)
	}
	dir := filepath.Join(u.c.StateDir, "downloads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("update: %w", err)
	}
	final := filepath.Join(dir, f.Name) // ParseFeed made sure it is a plain name
	if sum, size, err := hashFile(final); err == nil && size == f.Size && sum == f.SHA256 {
		return final, nil // downloaded and checked before
	}
	part := final + ".part"
	out, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("update: %w", err)
	}
	defer out.Close()
	have, err := out.Seek(0, io.SeekEnd)
	if err != nil {
		return "", fmt.Errorf("update: %w", err)
	}
	if have > f.Size {
		have = 0
	}
	if have < f.Size {
		if have, err = u.fetch(ctx, f, out, have, progress); err != nil {
			return "", err
		}
	}
	if err := out.Sync(); err != nil {
		return "", fmt.Errorf("update: %w", err)
	}
	out.Close()
	sum, size, err := hashFile(part)
	if err != nil {
		return "", fmt.Errorf("update: %w", err)
	}
	if size != f.Size || sum != f.SHA256 {
		os.Remove(part)
		return "", fmt.Errorf("update: %w: %s has %d bytes with sha256 %s, the feed says %d bytes with %s", ErrCorrupt, f.Name, size, sum, f.Size, f.SHA256)
	}
	if err := os.Rename(part, final); err != nil {
		return "", fmt.Errorf("update: %w", err)
	}
	return final, nil
}

// fetch appends f's bytes from offset have to out and returns how many
// out holds. It never writes past f.Size; bytes past it fail the download
// when they arrive with the last ones, and the hash check otherwise.
func (u *Updater) fetch(ctx context.Context, f File, out *os.File, have int64, progress func(done, total int64)) (int64, error) {
	// A server that stops sending without closing would hold the download
	// forever: each read must arrive within stallTimeout.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stall := time.AfterFunc(stallTimeout, cancel)
	defer stall.Stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return have, fmt.Errorf("update: %w", err)
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := u.c.HTTPClient.Do(req)
	if err != nil {
		return have, fmt.Errorf("update: download %s: %w", f.Name, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0 && strings.HasPrefix(resp.Header.Get("Content-Range"), "bytes "+strconv.FormatInt(have, 10)+"-"):
	case resp.StatusCode == http.StatusOK:
		have = 0 // the whole file again
		if err := out.Truncate(0); err != nil {
			return 0, fmt.Errorf("update: %w", err)
		}
	default:
		return have, fmt.Errorf("update: download %s: %s", f.Name, resp.Status)
	}
	if _, err := out.Seek(have, io.SeekStart); err != nil {
		return have, fmt.Errorf("update: %w", err)
	}
	buf := make([]byte, 256<<10)
	for have < f.Size {
		n, rerr := resp.Body.Read(buf)
		stall.Reset(stallTimeout)
		if int64(n) > f.Size-have {
			return have, fmt.Errorf("update: %w: %s is longer than the feed's %d bytes", ErrCorrupt, f.Name, f.Size)
		}
		if n > 0 {
			if _, err := out.Write(buf[:n]); err != nil {
				return have, fmt.Errorf("update: %w", err)
			}
			have += int64(n)
			if progress != nil {
				progress(have, f.Size)
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return have, fmt.Errorf("update: download %s: %w (run Download again to resume)", f.Name, rerr)
		}
	}
	if have < f.Size {
		return have, fmt.Errorf("update: download %s: the server sent %d of %d bytes (run Download again to resume)", f.Name, have, f.Size)
	}
	return have, nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
