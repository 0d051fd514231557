package linuxpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5" // nolint:gosec // Debian's md5sums file
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
)

// writeDeb writes the deb of info to w with the app's files streamed from
// disk. nfpm's deb packager builds the whole compressed data.tar.gz in a
// bytes.Buffer (nfpm v2.47.0 deb/deb.go:342), since the ar member header
// before it holds its size: a 500 MB payload took 1 GB of memory. Here nfpm
// makes the package with every regular file empty, which is small; the
// real files are then streamed into a data.tar.gz in workDir, and the two
// control files that depend on them (md5sums, the control file's
// Installed-Size) are corrected. Headers, order, compression and every other
// byte stay nfpm's, so the result is the deb nfpm would write
// (TestDebStreamedIsNfpms).
//
// A deb signed through SignFn (sign.gpg) gets its _gpg<type> member here
// too, as nfpm's debsign method makes it: a detached signature of
// debian-binary, control.tar.gz and data.tar.gz in a row, read from disk
// (TestDebStreamedIsNfpms compares both, signed and not).
func writeDeb(ctx context.Context, info *nfpm.Info, workDir string, w io.Writer) error {
	unsigned := *info
	unsigned.Deb.Signature = nfpm.DebSignature{}
	skeleton, real, err := hollowPackage(Deb, &unsigned, workDir, files.AsExplicitRelativePath)
	if err != nil {
		return err
	}
	members, err := readAr(skeleton)
	if err != nil {
		return fmt.Errorf("nfpm's deb: %w", err)
	}
	if len(members) != 3 || members[1].name != "control.tar.gz" || members[2].name != "data.tar.gz" {
		return fmt.Errorf("nfpm's deb: unexpected members %v", members)
	}

	data, err := os.Create(filepath.Join(workDir, "data.tar.gz"))
	if err != nil {
		return err
	}
	defer data.Close()
	sums, installed, err := fillData(ctx, members[2].body, real, data)
	if err != nil {
		return err
	}
	control, err := fixControl(members[1].body, sums, installed)
	if err != nil {
		return err
	}
	size, err := data.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := data.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.WriteString(w, arMagic); err != nil {
		return err
	}
	members[1].body = control
	for _, m := range members[:2] {
		if err := m.write(w, int64(len(m.body)), bytes.NewReader(m.body)); err != nil {
			return err
		}
	}
	if err := members[2].write(w, size, data); err != nil {
		return err
	}
	sign := info.Deb.Signature.SignFn
	if sign == nil {
		return nil
	}
	if _, err := data.Seek(0, io.SeekStart); err != nil {
		return err
	}
	sig, err := sign(io.MultiReader(bytes.NewReader(members[0].body), bytes.NewReader(control), data))
	if err != nil {
		return &nfpm.ErrSigningFailure{Err: err}
	}
	kind := info.Deb.Signature.Type
	if kind == "" {
		kind = "origin"
	}
	// The member's header is the others' with its own name: nfpm writes
	// every member with the same mode, owner and time.
	m := arMember{name: "_gpg" + kind, header: bytes.Clone(members[0].header)}
	copy(m.header[:16], fmt.Sprintf("%-16s", m.name))
	return m.write(w, int64(len(sig)), bytes.NewReader(sig))
}

// hollowPackage has nfpm write info's package in format f with every
// regular file empty, an empty file in workDir standing in for each. It
// returns the package and, by the name of its data archive entry (entry
// turns a destination into that name), the file each stands for.
func hollowPackage(f Format, info *nfpm.Info, workDir string, entry func(string) string) ([]byte, map[string]string, error) {
	empty := filepath.Join(workDir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		return nil, nil, err
	}
	real := map[string]string{}
	hollow := *info
	hollow.Contents = make(files.Contents, len(info.Contents))
	for i, c := range info.Contents {
		cc := *c
		if c.Type == "" || c.Type == files.TypeFile {
			real[entry(c.Destination)] = c.Source
			cc.Source = empty
			if c.FileInfo != nil {
				fi := *c.FileInfo
				fi.Size = 0
				cc.FileInfo = &fi
			}
		}
		hollow.Contents[i] = &cc
	}
	p, err := nfpm.Get(f.name)
	if err != nil {
		return nil, nil, err
	}
	var skeleton bytes.Buffer
	if err := p.Package(&hollow, &skeleton); err != nil {
		return nil, nil, err
	}
	return skeleton.Bytes(), real, nil
}

// fillData rewrites nfpm's data.tar.gz, whose regular files in real are
// empty, into out with their contents: the same gzip level nfpm uses (9) and
// nfpm's headers with the real size. It returns the md5 sum of each file
// put in, by its path in md5sums, and the installed size in bytes.
func fillData(ctx context.Context, hollow []byte, real map[string]string, out io.Writer) (map[string]string, int64, error) {
	zw, err := gzip.NewWriterLevel(out, gzip.BestCompression)
	if err != nil {
		return nil, 0, err
	}
	tw := tar.NewWriter(zw)
	sums := map[string]string{}
	installed, err := refill(ctx, hollow, real, tw, func(h *tar.Header, src string) (int64, error) {
		sum, n, err := copyFile(tw, h, src)
		sums[files.AsRelativePath(h.Name)] = sum
		return n, err
	})
	if err != nil {
		return nil, 0, err
	}
	if err := tw.Close(); err != nil {
		return nil, 0, err
	}
	return sums, installed, zw.Close()
}

// refill copies nfpm's hollow data tar (gzip-compressed) into tw entry by
// entry, every regular file of real put in by put (which writes its header
// and body and returns its size), and returns the installed size: the size
// of every regular file, as nfpm counts it. deb and apk differ only in
// their compressor and in what a file's header carries.
func refill(ctx context.Context, hollow []byte, real map[string]string, tw *tar.Writer, put func(h *tar.Header, src string) (int64, error)) (int64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(hollow))
	if err != nil {
		return 0, err
	}
	tr := tar.NewReader(zr)
	var installed int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return installed, nil
		}
		if err != nil {
			return 0, err
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		src, ok := real[h.Name]
		if !ok || h.Typeflag != tar.TypeReg {
			if err := tw.WriteHeader(h); err != nil {
				return 0, err
			}
			if _, err := io.Copy(tw, tr); err != nil {
				return 0, err
			}
			if h.Typeflag == tar.TypeReg {
				installed += h.Size
			}
			continue
		}
		n, err := put(h, src)
		if err != nil {
			return 0, fmt.Errorf("data.tar.gz: %w", err)
		}
		installed += n
	}
}

// copyFile writes src as the entry h (with src's size) and returns its md5
// sum and size.
func copyFile(tw *tar.Writer, h *tar.Header, src string) (string, int64, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", 0, err
	}
	h.Size = info.Size()
	if err := tw.WriteHeader(h); err != nil {
		return "", 0, err
	}
	d := md5.New() // nolint:gosec
	if _, err := io.Copy(tw, io.TeeReader(f, d)); err != nil {
		return "", 0, fmt.Errorf("%s: %w", src, err)
	}
	return fmt.Sprintf("%x", d.Sum(nil)), h.Size, nil
}

var installedSize = regexp.MustCompile(`(?m)^Installed-Size: \d+$`)

// fixControl rewrites nfpm's control.tar.gz with the md5 sums of the
// files put in and the installed size (KiB, rounded down as nfpm does).
func fixControl(hollow []byte, sums map[string]string, installed int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(hollow))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	var out bytes.Buffer
	zw := gzip.NewWriter(&out) // nfpm's control.tar.gz: the default level
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		switch h.Name {
		case "./control":
			if !installedSize.Match(body) {
				return nil, errors.New("control: no Installed-Size field")
			}
			body = installedSize.ReplaceAll(body, []byte("Installed-Size: "+strconv.FormatInt(installed/1024, 10)))
		case "./md5sums":
			lines := strings.SplitAfter(string(body), "\n")
			for i, l := range lines {
				// "<md5>  <path>\n"
				if len(l) > 34 {
					if sum, ok := sums[strings.TrimSuffix(l[34:], "\n")]; ok {
						lines[i] = sum + l[32:]
					}
				}
			}
			body = []byte(strings.Join(lines, ""))
		}
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// The ar container of a deb (deb(5)): a magic string, then members, each
// a 60-byte header and its body padded to an even length. The members are
// read and written here, not with github.com/blakesmith/ar (nfpm's): its
// writer pads after every odd-sized Write call rather than after the body,
// which breaks a body copied in pieces. nfpm's own headers are kept; only
// the size field changes.
const arMagic = "!<arch>\n"

type arMember struct {
	name   string
	header []byte // 60 bytes, as nfpm wrote it
	body   []byte
}

func (m arMember) String() string { return m.name }

func readAr(b []byte) ([]arMember, error) {
	if !bytes.HasPrefix(b, []byte(arMagic)) {
		return nil, errors.New("not an ar archive")
	}
	b = b[len(arMagic):]
	var out []arMember
	for len(b) > 0 {
		if len(b) < 60 {
			return nil, errors.New("short ar header")
		}
		h := b[:60]
		size, err := strconv.ParseInt(strings.TrimSpace(string(h[48:58])), 10, 64)
		if err != nil || size < 0 || size > int64(len(b)-60) {
			return nil, fmt.Errorf("bad ar member size %q", h[48:58])
		}
		out = append(out, arMember{name: strings.TrimSpace(string(h[:16])), header: h, body: b[60 : 60+size]})
		b = b[60+size:]
		if size%2 == 1 && len(b) > 0 {
			b = b[1:]
		}
	}
	return out, nil
}

// write writes the member with a body of size bytes read from r.
func (m arMember) write(w io.Writer, size int64, r io.Reader) error {
	h := bytes.Clone(m.header)
	field := strconv.FormatInt(size, 10)
	if len(field) > 10 {
		return fmt.Errorf("%s: %d bytes is more than an ar member holds", m.name, size)
	}
	copy(h[48:58], field+strings.Repeat(" ", 10-len(field)))
	if _, err := w.Write(h); err != nil {
		return err
	}
	if n, err := io.Copy(w, r); err != nil {
		return err
	} else if n != size {
		return fmt.Errorf("%s: wrote %d bytes of %d", m.name, n, size)
	}
	if size%2 == 1 {
		_, err := w.Write([]byte{'\n'})
		return err
	}
	return nil
}
