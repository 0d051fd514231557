// Package msix makes an MSIX package of the staged app with nfpm's MSIX
// packager: the app's folder, its logos in the sizes Windows shows, and
// a manifest naming the executable as a full-trust desktop application.
// With sign.windows the package is signed like the installers
// (osslsigncode signs APPX and MSIX), and its Publisher must then be the
// signing certificate's subject, which Windows checks on install.
package msix

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
	nfpmmsix "github.com/goreleaser/nfpm/v2/msix"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/tool"
	"github.com/bundlekit/bundle/bundler/internal/version"
	"github.com/bundlekit/bundle/templates/text"
)

// Format is the msix format.
type Format struct{}

func (Format) Name() string                      { return "msix" }
func (Format) Supports(goos string) bool         { return goos == "windows" }
func (Format) Tools() []tool.Tool                { return nil }
func (Format) FileName(in packager.Input) string { return in.Stem + ".msix" }

// SignedAs says the package carries an Authenticode signature.
func (Format) SignedAs() string { return packager.SignAuthenticode }

// arches are MSIX's ProcessorArchitecture of each Windows architecture.
var arches = map[string]string{"amd64": "x64", "386": "x86", "arm64": "arm64"}

// SupportsArch: MSIX has no name for other architectures.
func (Format) SupportsArch(arch string) (bool, string) {
	if _, ok := arches[arch]; ok {
		return true, ""
	}
	return false, "MSIX has no processor architecture for " + arch
}

// identityName is what the package's Identity Name allows: 3 to 50 of
// letters, digits, '.' and '-'.
var identityName = regexp.MustCompile(`^[A-Za-z0-9.-]{3,50}$`)

// CheckConfig: the identity comes from id, the logos from icon, and the
// publisher from windows.msix_publisher or publisher.
func (Format) CheckConfig(p *config.Project) error {
	c := p.Config
	switch {
	case c.ID == "":
		return p.Errorf("id", "an MSIX package is named by the app's id; add id: in reverse DNS, such as com.example.%s", c.Binary)
	case !identityName.MatchString(c.ID):
		return p.Errorf("id", "an MSIX package's name holds 3 to 50 letters, digits, '.' and '-'; %q does not fit", c.ID)
	case c.Icon == "":
		return p.Errorf("icon", "an MSIX package shows the app's logo; add icon: with a square PNG of at least 256×256 px")
	case c.Windows.MSIXPublisher == "" && c.Publisher == "" && c.Sign.Windows == nil:
		return p.Errorf("publisher", "an MSIX package names its publisher; add publisher:")
	}
	// Windows refuses to install a package whose Publisher is not the
	// subject of the certificate that signed it; osslsigncode signs it
	// anyway. A certificate that cannot be read here is the signer's to
	// report.
	if c.Windows.MSIXPublisher != "" && c.Sign.Windows != nil {
		if subject, err := signingSubject(c, p.Dir); err == nil && !sameDN(c.Windows.MSIXPublisher, subject) {
			return p.Errorf("windows.msix_publisher", "%q is not the subject of the certificate sign.windows signs with, %q, and Windows refuses to install an MSIX package whose Publisher differs; set it to that, or remove it (it is the default with sign.windows)", c.Windows.MSIXPublisher, subject)
		}
	}
	return nil
}

// Check refuses a version MSIX cannot hold.
func (Format) Check(_ config.Config, _ platform.Target, v *semver.Version) error {
	if _, err := version.MSIX(v); err != nil {
		return exitcode.Config(fmt.Errorf("msix: %w; release a version within it or drop msix from formats.windows", err))
	}
	return nil
}

// logos are the images the package carries, by their size in pixels:
// the store logo (50), the Start tile (150) and the taskbar icon (44).
var logos = []struct {
	name string
	size int
}{{"StoreLogo.png", 50}, {"Square150x150Logo.png", 150}, {"Square44x44Logo.png", 44}}

func (f Format) Package(ctx context.Context, in packager.Input, dest string) error {
	c := in.Config
	v, err := version.MSIX(in.Version)
	if err != nil {
		return err
	}
	if in.Icons == nil {
		return exitcode.Config(fmt.Errorf("msix: needs icon: in bundle.yaml"))
	}
	var contents files.Contents
	err = filepath.WalkDir(in.AppDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(in.AppDir, path)
		if err != nil {
			return err
		}
		contents = append(contents, &files.Content{Source: path, Destination: filepath.ToSlash(rel)})
		return nil
	})
	if err != nil {
		return err
	}
	assets := filepath.Join(in.WorkDir, "Assets")
	if err := os.MkdirAll(assets, 0o755); err != nil {
		return err
	}
	for _, l := range logos {
		png, err := in.Icons.PNG(l.size)
		if err != nil {
			return fmt.Errorf("msix: logo %s: %w", l.name, err)
		}
		path := filepath.Join(assets, l.name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			return err
		}
		contents = append(contents, &files.Content{Source: path, Destination: "Assets/" + l.name})
	}
	name, desc := text.Line(c.Name), clip(text.Synopsis(c.Description), 2048)
	if desc == "" {
		desc = name
	}
	publisher, err := publisherOf(c, in.Dir)
	if err != nil {
		return err
	}
	publisherName := text.Line(c.Publisher)
	if publisherName == "" {
		publisherName = name
	}
	info := &nfpm.Info{
		Name: c.ID, Arch: arches[in.Target.Arch], Version: v, Description: desc,
		Overridables: nfpm.Overridables{
			Contents: contents,
			MSIX: nfpm.MSIX{
				Publisher:  publisher,
				Properties: nfpm.MSIXProperties{DisplayName: clip(name, 256), PublisherDisplayName: clip(publisherName, 256), Logo: "Assets/StoreLogo.png"},
				Applications: []nfpm.MSIXApplication{{ID: applicationID(c.Binary), Executable: in.Exe,
					VisualElements: nfpm.MSIXVisualElements{DisplayName: clip(name, 256), Description: desc,
						Square150x150Logo: "Assets/Square150x150Logo.png", Square44x44Logo: "Assets/Square44x44Logo.png"}}},
			},
		},
	}
	unsigned := filepath.Join(in.WorkDir, "unsigned.msix")
	if err := packager.WriteFile(ctx, unsigned, func(w io.Writer) error { return nfpmmsix.Default.Package(info, w) }); err != nil {
		return fmt.Errorf("msix: %w", err)
	}
	return packager.WriteFile(ctx, dest, func(w io.Writer) error { return deflateContentTypes(w, unsigned) })
}

// contentTypes is the package part that lists the others' types.
const contentTypes = "[Content_Types].xml"

// deflateContentTypes copies the package at src to w with
// [Content_Types].xml compressed (and typing every part) and every other
// entry's bytes, headers and order as they are. osslsigncode adds the signature's type to that
// part and always compresses what it writes back, but keeps the entry's
// method: a stored one would then be labelled stored with compressed
// data, which unzip and Windows refuse. The part is not in the block map,
// whose hashes and local header sizes stay true. archive/zip copies the
// other entries raw; no library does this one change.
func deflateContentTypes(w io.Writer, src string) error {
	r, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer r.Close()
	var names []string
	for _, f := range r.File {
		// Copying raw entries keeps their headers as they are; zip64's
		// extra fields would be written twice.
		if f.CompressedSize64 >= 0xFFFFFFFF || f.UncompressedSize64 >= 0xFFFFFFFF {
			return fmt.Errorf("%s is 4 GiB or more: MSIX packages that need ZIP64 are not made yet", f.Name)
		}
		names = append(names, f.Name)
	}
	zw := zip.NewWriter(w)
	for _, f := range r.File {
		hdr := f.FileHeader
		hdr.Modified = time.Time{} // keep the DOS time fields, with no extra field added for it
		if f.Name == contentTypes {
			if err := writeContentTypes(zw, hdr, f, names); err != nil {
				return err
			}
			continue
		}
		raw, err := f.OpenRaw()
		if err != nil {
			return err
		}
		out, err := zw.CreateRaw(&hdr)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, raw); err != nil {
			return err
		}
	}
	return zw.Close()
}

// maxContentTypes is the most [Content_Types].xml is read: a few lines
// per kind of file.
const maxContentTypes = 1 << 20

// writeContentTypes writes [Content_Types].xml compressed, with its sizes
// in the local header (no data descriptor), as the other entries have
// them, and with a type for every part: the packager types parts by
// their extension only, so a file without one (LICENSE) had none, which
// the package format does not allow.
func writeContentTypes(zw *zip.Writer, hdr zip.FileHeader, f *zip.File, parts []string) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxContentTypes+1))
	rc.Close()
	if err != nil {
		return err
	}
	if len(data) > maxContentTypes {
		return fmt.Errorf("%s is over %d bytes", contentTypes, maxContentTypes)
	}
	if data, err = typeEveryPart(data, parts); err != nil {
		return err
	}
	var b bytes.Buffer
	fw, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		return err
	}
	if _, err := fw.Write(data); err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	hdr.Method = zip.Deflate
	hdr.Flags &^= 0x8
	hdr.CRC32 = crc32.ChecksumIEEE(data)
	hdr.CompressedSize64, hdr.UncompressedSize64 = uint64(b.Len()), uint64(len(data))
	out, err := zw.CreateRaw(&hdr)
	if err != nil {
		return err
	}
	_, err = out.Write(b.Bytes())
	return err
}

// contentTypesDoc is [Content_Types].xml (Open Packaging Conventions).
type contentTypesDoc struct {
	XMLName   xml.Name     `xml:"Types"`
	Xmlns     string       `xml:"xmlns,attr"`
	Defaults  []ctDefault  `xml:"Default"`
	Overrides []ctOverride `xml:"Override"`
}

type ctDefault struct {
	XMLName     xml.Name `xml:"Default"`
	Extension   string   `xml:"Extension,attr"`
	ContentType string   `xml:"ContentType,attr"`
}

type ctOverride struct {
	XMLName     xml.Name `xml:"Override"`
	PartName    string   `xml:"PartName,attr"`
	ContentType string   `xml:"ContentType,attr"`
}

// typeEveryPart adds an Override of application/octet-stream for each
// part that neither a Default (by extension) nor an Override types.
func typeEveryPart(data []byte, parts []string) ([]byte, error) {
	var doc contentTypesDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", contentTypes, err)
	}
	byExt, byPart := map[string]bool{}, map[string]bool{}
	for _, d := range doc.Defaults {
		byExt[strings.ToLower(d.Extension)] = true
	}
	for _, o := range doc.Overrides {
		byPart[strings.ToLower(o.PartName)] = true
	}
	added := false
	for _, name := range parts {
		if name == contentTypes || strings.HasSuffix(name, "/") {
			continue
		}
		part := partName(name)
		if byExt[strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))] && path.Ext(name) != "" || byPart[strings.ToLower(part)] {
			continue
		}
		doc.Overrides = append(doc.Overrides, ctOverride{PartName: part, ContentType: "application/octet-stream"})
		added = true
	}
	if !added {
		return data, nil
	}
	out, err := xml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

// partName is the package part name of a ZIP entry: "/" and each
// segment percent-encoded.
func partName(entry string) string {
	segs := strings.Split(entry, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/" + strings.Join(segs, "/")
}

// notApplicationID is what an Application Id cannot hold.
var notApplicationID = regexp.MustCompile(`[^A-Za-z0-9.]`)

// applicationID is the Application Id: a letter, then letters, digits
// and '.' (the schema's ST_ApplicationId), made from the binary's name.
func applicationID(binary string) string {
	id := notApplicationID.ReplaceAllString(binary, "")
	if id == "" || !(id[0] >= 'A' && id[0] <= 'Z' || id[0] >= 'a' && id[0] <= 'z') {
		id = "App" + id
	}
	return id
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
