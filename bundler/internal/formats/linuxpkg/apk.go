package linuxpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1" // nolint:gosec // apk's per-file checksum
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
	"github.com/klauspost/pgzip"
)

// writeAPK writes the apk of info to w with the app's files
// streamed from disk. nfpm's apk packager holds the payload in memory
// twice over: it reads each file whole (nfpm v2.47.0 apk/apk.go:447), since
// the file's PAX header carries its SHA-1, and it builds the compressed
// data.tar.gz in a bytes.Buffer (apk/apk.go:119), since the control
// segment before it holds its SHA-256 (datahash). A 500 MB payload took
// 1.5 GB. Here nfpm makes the package with every regular file empty; the
// real files are then streamed into a data.tar.gz in workDir, each read
// twice (once for its SHA-1, once to copy it), and .PKGINFO's size and
// datahash are corrected. Headers, order, compression and every other byte
// stay nfpm's, so the result is the apk nfpm would write
// (TestAPKStreamedIsNfpms).
//
// A signed apk (sign.apk, through SignFn) gets its signature segment
// here, over the SHA-1 of the control segment as rewritten, laid out as
// nfpm lays it out (TestAPKStreamedIsNfpms compares both, signed too).
func writeAPK(ctx context.Context, info *nfpm.Info, workDir string, w io.Writer) error {
	unsigned := *info
	unsigned.APK.Signature = nfpm.APKSignature{}
	skeleton, real, err := hollowPackage(APK, &unsigned, workDir, files.AsRelativePath)
	if err != nil {
		return err
	}
	segments, err := splitGzip(skeleton)
	if err != nil {
		return fmt.Errorf("nfpm's apk: %w", err)
	}
	if len(segments) != 2 {
		return fmt.Errorf("nfpm's apk: %d gzip streams, want control and data", len(segments))
	}

	data, err := os.Create(filepath.Join(workDir, "data.tar.gz"))
	if err != nil {
		return err
	}
	defer data.Close()
	datahash := sha256.New()
	installed, err := fillAPKData(ctx, segments[1], real, io.MultiWriter(data, datahash))
	if err != nil {
		return err
	}
	control, err := fixPkgInfo(segments[0], installed, datahash.Sum(nil))
	if err != nil {
		return err
	}
	if _, err := data.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if sign := info.APK.Signature.SignFn; sign != nil {
		seg, err := apkSignature(info, sign, control)
		if err != nil {
			return &nfpm.ErrSigningFailure{Err: err}
		}
		if _, err := w.Write(seg); err != nil {
			return err
		}
	}
	if _, err := w.Write(control); err != nil {
		return err
	}
	_, err = io.Copy(w, data)
	return err
}

// apkSignature is the signature segment of an apk whose control segment is
// control: a gzip stream of one tar entry, .SIGN.RSA.<key name>, holding
// sign's signature of the segment's SHA-1, cut before the tar's end
// blocks as apk segments are. The key name is sign.apk's, else the
// maintainer's address, ending in .rsa.pub, as nfpm names it.
func apkSignature(info *nfpm.Info, sign func(io.Reader) ([]byte, error), control []byte) ([]byte, error) {
	digest := sha1.Sum(control) // nolint:gosec // what apk signs
	sig, err := sign(bytes.NewReader(digest[:]))
	if err != nil {
		return nil, err
	}
	name := info.APK.Signature.KeyName
	if name == "" {
		addr, err := mail.ParseAddress(info.Maintainer)
		if err != nil || addr.Address == "" {
			return nil, fmt.Errorf("sign.apk.key_name is not set and the maintainer has no address to name the key by")
		}
		name = addr.Address
	}
	if !strings.HasSuffix(name, ".rsa.pub") {
		name += ".rsa.pub"
	}
	var entry bytes.Buffer
	tw := tar.NewWriter(&entry)
	if err := tw.WriteHeader(&tar.Header{Name: ".SIGN.RSA." + name, Mode: 0o600, Size: int64(len(sig)), Format: tar.FormatUSTAR}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(sig); err != nil {
		return nil, err
	}
	// Flush pads the entry to its block and writes no end blocks.
	if err := tw.Flush(); err != nil {
		return nil, err
	}
	var seg bytes.Buffer
	zw := pgzip.NewWriter(&seg) // nfpm's compressor, whose bytes differ from compress/gzip's
	if _, err := zw.Write(entry.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return seg.Bytes(), nil
}

// splitGzip cuts b, gzip streams one after the other as an apk is, into
// those streams.
func splitGzip(b []byte) ([][]byte, error) {
	var out [][]byte
	r := bytes.NewReader(b)
	for r.Len() > 0 {
		start := len(b) - r.Len()
		// A bytes.Reader is an io.ByteReader, so gzip leaves it just after
		// the stream it read.
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return nil, err
		}
		out = append(out, b[start:len(b)-r.Len()])
	}
	return out, nil
}

// apkChecksum is the PAX record of a file's SHA-1 (hex) in an apk's tars.
const apkChecksum = "APK-TOOLS.checksum.SHA1"

// fillAPKData rewrites nfpm's data.tar.gz, whose regular files in real are
// empty, into out with their contents and checksums, and returns the
// installed size. The compressor is nfpm's, pgzip at its default level:
// its output depends only on the bytes written (1 MiB blocks), so the same
// tar gives the same stream.
func fillAPKData(ctx context.Context, hollow []byte, real map[string]string, out io.Writer) (int64, error) {
	zw := pgzip.NewWriter(out)
	tw := tar.NewWriter(zw)
	installed, err := refill(ctx, hollow, real, tw, func(h *tar.Header, src string) (int64, error) {
		return copyAPKFile(ctx, tw, h, src)
	})
	if err != nil {
		return 0, err
	}
	if err := tw.Close(); err != nil {
		return 0, err
	}
	return installed, zw.Close()
}

// copyAPKFile writes src as the entry h with its size and SHA-1, and
// returns its size. The SHA-1 goes in the header, before the body, so the
// file is read twice rather than held; a file that changes in between is
// an error, not a package whose checksum lies.
func copyAPKFile(ctx context.Context, tw *tar.Writer, h *tar.Header, src string) (int64, error) {
	if _, ok := h.PAXRecords[apkChecksum]; !ok {
		return 0, fmt.Errorf("%s: nfpm wrote no %s", h.Name, apkChecksum)
	}
	f, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := ctxReader{ctx, f}
	sum := sha1.New() // nolint:gosec
	n, err := io.Copy(sum, r)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", src, err)
	}
	want := hex.EncodeToString(sum.Sum(nil))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	h.Size = n
	h.PAXRecords[apkChecksum] = want
	if err := tw.WriteHeader(h); err != nil {
		return 0, err
	}
	sum.Reset()
	copied, err := io.Copy(tw, io.TeeReader(r, sum))
	switch {
	case errors.Is(err, tar.ErrWriteTooLong):
		return 0, fmt.Errorf("%s grew while it was being packaged", src)
	case err != nil:
		return 0, fmt.Errorf("%s: %w", src, err)
	case copied != n || hex.EncodeToString(sum.Sum(nil)) != want:
		return 0, fmt.Errorf("%s changed while it was being packaged", src)
	}
	return n, nil
}

// ctxReader stops reading once ctx is done, so that an interrupt does not
// wait for a big file to be read to its end.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

var (
	pkgInfoSize     = regexp.MustCompile(`(?m)^size = \d+$`)
	pkgInfoDatahash = regexp.MustCompile(`\ndatahash = [0-9a-f]{64}\n$`)
)

// fixPkgInfo rewrites nfpm's control segment with the installed size and
// the data's SHA-256 in .PKGINFO. The segment is a tar cut before its end
// blocks (apk concatenates the segments into one tar), .PKGINFO first and
// the maintainer scripts after it; the scripts are kept as nfpm wrote them.
func fixPkgInfo(hollow []byte, installed int64, datahash []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(hollow))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(bytes.NewReader(raw))
	h, err := tr.Next()
	if err != nil {
		return nil, err
	}
	// nfpm writes .PKGINFO as a plain USTAR entry (apk/apk.go:171): one
	// header block, then the body padded to a block.
	if h.Name != ".PKGINFO" || raw[156] != tar.TypeReg {
		return nil, fmt.Errorf("control segment: %q where .PKGINFO should be", h.Name)
	}
	body, err := io.ReadAll(tr)
	if err != nil {
		return nil, err
	}
	end := 512 + (len(body)+511)/512*512
	size := pkgInfoSize.FindIndex(body) // the field is the first such line
	if end > len(raw) || size == nil || !pkgInfoDatahash.Match(body) {
		return nil, errors.New("control segment: .PKGINFO without size or datahash")
	}
	rest := raw[end:]
	body = bytes.Join([][]byte{body[:size[0]], []byte("size = " + strconv.FormatInt(installed, 10)), body[size[1]:]}, nil)
	body = pkgInfoDatahash.ReplaceAll(body, []byte("\ndatahash = "+hex.EncodeToString(datahash)+"\n"))

	var tarred bytes.Buffer
	tw := tar.NewWriter(&tarred)
	h.Format = tar.FormatUSTAR
	h.Size = int64(len(body))
	if err := tw.WriteHeader(h); err != nil {
		return nil, err
	}
	if _, err := tw.Write(body); err != nil {
		return nil, err
	}
	// Flush pads the body to a block; Close would add the end blocks.
	if err := tw.Flush(); err != nil {
		return nil, err
	}
	tarred.Write(rest)

	var out bytes.Buffer
	zw := pgzip.NewWriter(&out)
	if _, err := zw.Write(tarred.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
