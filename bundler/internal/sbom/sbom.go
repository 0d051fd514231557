// Package sbom writes a CycloneDX 1.5 JSON software bill of materials for a
// built Go binary, from the build information the Go linker embeds in every
// module-mode executable (debug/buildinfo). No external tool is needed, and
// the SBOM lists exactly what `go version -m <binary>` lists:
//
//   - the main module (type application; absent only for a binary built from
//     loose files outside any module),
//   - every dependency module linked in (type library), a replaced module
//     appearing as its replacement with a property naming the original,
//   - the Go standard library and runtime of the toolchain that built it
//     (pkg:golang/std@<go version>).
//
// The artifact itself (Options.Name and Options.Version, with the SHA-256 of
// the executable) is metadata.component. Build settings (GOOS, GOARCH,
// CGO_ENABLED, -trimpath, -ldflags, vcs.* …) are metadata properties.
//
// The output is deterministic: the same executable and Options give the same
// bytes. The serial number is a name-based (SHA-1, version 5) UUID of the
// executable's SHA-256 and the timestamp is Options.Time, normally the
// build's SOURCE_DATE_EPOCH.
package sbom

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// SpecVersion is the CycloneDX specification version of the output.
const SpecVersion = "1.5"

// SchemaURL is the JSON schema the output declares and conforms to.
const SchemaURL = "http://cyclonedx.org/schema/bom-1.5.schema.json"

// Property names. They live in bundle's own "bundle:" namespace rather than
// CycloneDX's registered "cdx:" taxonomy, which bundle does not own.
const (
	// PropBuildPrefix + key is a metadata property for each build setting
	// recorded in the binary ("bundle:go:build:GOOS" = "linux").
	PropBuildPrefix = "bundle:go:build:"
	// PropPackagePath is a metadata property: the import path of the main
	// package ("example.com/hello/cmd/hello").
	PropPackagePath = "bundle:go:path"
	// PropReplaced is a component property on a replacement module: the
	// module it replaces, as "path@version" ("path" when it had no version).
	PropReplaced = "bundle:gomod:replaced"
	// PropSum is a component property: the module's go.sum checksum exactly
	// as recorded in the binary ("h1:…").
	PropSum = "bundle:gomod:sum"
)

// serialNamespace is the UUID namespace of bundle's SBOM serial numbers: the
// version 5 UUID of bundle's module URL in the standard URL namespace.
var serialNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/bundlekit/bundle/bundler/sbom"))

// Options describe the artifact the SBOM is about.
type Options struct {
	// Name and Version of the artifact (metadata.component). An empty Name
	// falls back to the last element of the main package path, an empty
	// Version to the main module's version.
	Name, Version string
	// Time is metadata.timestamp: the build's SOURCE_DATE_EPOCH time, for
	// reproducible output. The zero time omits the timestamp.
	Time time.Time
	// ToolVersion is bundle's own version, recorded in metadata.tools.
	ToolVersion string
}

// Write reads the executable's Go build info and writes the SBOM JSON to w.
func Write(w io.Writer, exe io.ReaderAt, o Options) error {
	bi, err := buildinfo.Read(exe)
	if err != nil {
		return fmt.Errorf("sbom: no Go build info in the executable (it must be a Go binary built in module mode): %w", err)
	}
	// A SectionReader of maximal length reads until the underlying ReadAt
	// reports io.EOF, so any io.ReaderAt can be hashed without knowing its size.
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(exe, 0, math.MaxInt64)); err != nil {
		return fmt.Errorf("sbom: hashing the executable: %w", err)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])

	doc, err := newBOM(bi, sum, o)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("sbom: encoding: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("sbom: writing: %w", err)
	}
	return nil
}

// The CycloneDX 1.5 JSON document, reduced to the fields bundle writes.

type bom struct {
	Schema       string       `json:"$schema"`
	BOMFormat    string       `json:"bomFormat"`
	SpecVersion  string       `json:"specVersion"`
	SerialNumber string       `json:"serialNumber"`
	Version      int          `json:"version"`
	Metadata     metadata     `json:"metadata"`
	Components   []component  `json:"components"`
	Dependencies []dependency `json:"dependencies"`
}

type metadata struct {
	Timestamp  string     `json:"timestamp,omitempty"`
	Tools      *tools     `json:"tools,omitempty"`
	Component  component  `json:"component"`
	Properties []property `json:"properties,omitempty"`
}

type tools struct {
	Components []component `json:"components"`
}

type component struct {
	Type        string     `json:"type"`
	BOMRef      string     `json:"bom-ref,omitempty"`
	Name        string     `json:"name"`
	Version     string     `json:"version,omitempty"`
	Description string     `json:"description,omitempty"`
	Hashes      []hash     `json:"hashes,omitempty"`
	PURL        string     `json:"purl,omitempty"`
	Properties  []property `json:"properties,omitempty"`
}

type hash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type dependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

// newBOM builds the document from the build info and the executable's SHA-256.
func newBOM(bi *debug.BuildInfo, exeSum [sha256.Size]byte, o Options) (*bom, error) {
	if bi == nil {
		return nil, errors.New("sbom: no Go build info")
	}
	if bi.GoVersion == "" {
		return nil, errors.New("sbom: the build info records no Go version")
	}

	artifact := component{
		Type:    "application",
		Name:    o.Name,
		Version: o.Version,
		Hashes:  []hash{{Alg: "SHA-256", Content: hex.EncodeToString(exeSum[:])}},
	}
	if artifact.Name == "" {
		artifact.Name = path.Base(bi.Path)
	}
	if artifact.Version == "" && bi.Main.Version != "(devel)" {
		artifact.Version = bi.Main.Version
	}
	if artifact.Name == "" || artifact.Name == "." || artifact.Name == "/" {
		return nil, errors.New("sbom: no artifact name given and the build info records no package path")
	}
	artifact.BOMRef = "artifact:" + artifact.Name
	if artifact.Version != "" {
		artifact.BOMRef += "@" + artifact.Version
	}

	std := component{
		Type:        "library",
		Name:        "std",
		Version:     bi.GoVersion,
		Description: "Go standard library and runtime",
		PURL:        purl("std", bi.GoVersion),
	}
	std.BOMRef = std.PURL

	var comps []component
	var mainRef string
	if bi.Main.Path != "" {
		m := moduleComponent(bi.Main, "application")
		comps = append(comps, m)
		mainRef = m.BOMRef
	}
	var depRefs []string
	for _, d := range bi.Deps {
		if d == nil {
			continue
		}
		var c component
		if d.Replace != nil {
			c = moduleComponent(*d.Replace, "library")
			orig := d.Path
			if d.Version != "" {
				orig += "@" + d.Version
			}
			c.Properties = append(c.Properties, property{Name: PropReplaced, Value: orig})
			if c.PURL == "" {
				// A directory replacement has no package URL; its reference
				// is made unique by the module it stands in for.
				c.BOMRef = "gomod:" + d.Path + "=>" + d.Replace.Path
			}
		} else {
			c = moduleComponent(*d, "library")
		}
		comps = append(comps, c)
		depRefs = append(depRefs, c.BOMRef)
	}
	comps = append(comps, std)

	sort.SliceStable(comps, func(i, j int) bool {
		a, b := comps[i], comps[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.BOMRef < b.BOMRef
	})
	seen := map[string]bool{artifact.BOMRef: true}
	for _, c := range comps {
		if seen[c.BOMRef] {
			return nil, fmt.Errorf("sbom: two components share the reference %q", c.BOMRef)
		}
		seen[c.BOMRef] = true
	}
	sort.Strings(depRefs)

	// Build info records which modules are linked in, not which module
	// requires which, so the graph is flat: the artifact is made of the main
	// module and the standard library, and the main module depends on every
	// other module. Modules get no entry of their own: CycloneDX reads a
	// missing entry as "unknown", which is the truth here.
	var deps []dependency
	if mainRef != "" {
		top := []string{mainRef, std.BOMRef}
		sort.Strings(top)
		deps = append(deps, dependency{Ref: artifact.BOMRef, DependsOn: top})
		deps = append(deps, dependency{Ref: mainRef, DependsOn: depRefs})
	} else {
		top := append(append([]string(nil), depRefs...), std.BOMRef)
		sort.Strings(top)
		deps = append(deps, dependency{Ref: artifact.BOMRef, DependsOn: top})
	}

	md := metadata{Component: artifact}
	if !o.Time.IsZero() {
		md.Timestamp = o.Time.UTC().Format(time.RFC3339)
	}
	tool := component{Type: "application", Name: "bundle", Version: o.ToolVersion}
	md.Tools = &tools{Components: []component{tool}}
	if bi.Path != "" {
		md.Properties = append(md.Properties, property{Name: PropPackagePath, Value: bi.Path})
	}
	// In the order the binary records them, which is the order `go version
	// -m` prints.
	for _, s := range bi.Settings {
		md.Properties = append(md.Properties, property{Name: PropBuildPrefix + s.Key, Value: s.Value})
	}

	return &bom{
		Schema:       SchemaURL,
		BOMFormat:    "CycloneDX",
		SpecVersion:  SpecVersion,
		SerialNumber: SerialNumber(exeSum),
		Version:      1,
		Metadata:     md,
		Components:   comps,
		Dependencies: deps,
	}, nil
}

// SerialNumber is the serialNumber of the SBOM of an executable with the
// given SHA-256: "urn:uuid:" and the version 5 UUID of the hex digest.
func SerialNumber(exeSHA256 [sha256.Size]byte) string {
	return "urn:uuid:" + uuid.NewSHA1(serialNamespace, []byte(hex.EncodeToString(exeSHA256[:]))).String()
}

// moduleComponent describes one module as it was linked in.
func moduleComponent(m debug.Module, typ string) component {
	c := component{Type: typ, Name: m.Path, Version: m.Version}
	// A directory (a replacement such as "../lib") has no package URL.
	if !isDir(m.Path) {
		c.PURL = purl(m.Path, m.Version)
	}
	c.BOMRef = c.PURL
	if c.BOMRef == "" {
		c.BOMRef = "gomod:" + m.Path
	}
	if m.Sum != "" {
		// The go.sum "h1:" checksum is the base64 SHA-256 of the module's
		// dirhash (golang.org/x/mod/sumdb/dirhash Hash1: a SHA-256 over the
		// sorted "sha256 name" lines of every file in the module). It is
		// recorded as a hash with alg SHA-256 whose content is the hex of the
		// decoded value, so it can be checked against a module download, and
		// also verbatim as the PropSum property. It is not the SHA-256 of
		// the module zip.
		if d, ok := decodeH1(m.Sum); ok {
			c.Hashes = []hash{{Alg: "SHA-256", Content: hex.EncodeToString(d)}}
		}
		c.Properties = append(c.Properties, property{Name: PropSum, Value: m.Sum})
	}
	return c
}

// decodeH1 returns the 32-byte digest of an "h1:" module checksum.
func decodeH1(sum string) ([]byte, bool) {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return nil, false
	}
	d, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(d) != sha256.Size {
		return nil, false
	}
	return d, true
}

// isDir reports whether a module path is really a file system path, as a
// directory replacement is ("../lib", "./x", "/abs/lib", `C:\lib`).
func isDir(p string) bool {
	return p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") ||
		strings.HasPrefix(p, "/") || strings.HasPrefix(p, `.\`) || strings.HasPrefix(p, `..\`) ||
		(len(p) >= 2 && p[1] == ':') || strings.Contains(p, `\`)
}

// purl is the package URL of a Go module: pkg:golang/<path>@<version>, each
// path segment and the version percent-encoded. A missing or "(devel)"
// version (the main module of a build without VCS information, or a
// directory replacement) is left out.
func purl(modPath, version string) string {
	segs := strings.Split(modPath, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	p := "pkg:golang/" + strings.Join(segs, "/")
	if version != "" && version != "(devel)" {
		p += "@" + escape(version)
	}
	return p
}

// escape percent-encodes every byte outside the URL unreserved set, which
// is always a valid package URL encoding ("+incompatible" -> "%2Bincompatible").
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
