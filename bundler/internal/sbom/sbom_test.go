package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ---- the CycloneDX 1.5 schema, from testdata, with no network ----

const schemaBase = "http://cyclonedx.org/schema/"

type noNetwork struct{}

func (noNetwork) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not vendored under testdata/cyclonedx (no network in tests)", url)
}

var (
	schemaOnce sync.Once
	schemaVal  *jsonschema.Schema
	schemaErr  error
)

func bomSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.UseLoader(noNetwork{})
		c.AssertFormat()
		// bom-1.5.schema.json refers to these two by relative URL; register
		// each under its $id so the compiler never goes looking for them.
		for _, name := range []string{"bom-1.5.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"} {
			f, err := os.Open(filepath.Join("testdata", "cyclonedx", name))
			if err != nil {
				schemaErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(f)
			f.Close()
			if err != nil {
				schemaErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			if err := c.AddResource(schemaBase+name, doc); err != nil {
				schemaErr = fmt.Errorf("%s: %w", name, err)
				return
			}
		}
		schemaVal, schemaErr = c.Compile(SchemaURL)
	})
	if schemaErr != nil {
		t.Fatalf("compiling the CycloneDX 1.5 schema: %v", schemaErr)
	}
	return schemaVal
}

func validate(t *testing.T, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("SBOM is not JSON: %v", err)
	}
	if err := bomSchema(t).Validate(inst); err != nil {
		t.Fatalf("SBOM does not conform to CycloneDX 1.5: %v\n%s", err, doc)
	}
}

// The validator must really reject what 1.5 forbids, or the checks above
// prove nothing.
func TestSchemaRejectsInvalid(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Path: "example.com/a", Main: debug.Module{Path: "example.com/a", Version: "(devel)"}}
	good := encode(t, bi, Options{Name: "a", Version: "1.0.0"})
	validate(t, good)
	for name, mutate := range map[string]func(m map[string]any){
		"unknown top-level key": func(m map[string]any) { m["extra"] = 1 },
		"bad serial":            func(m map[string]any) { m["serialNumber"] = "urn:uuid:not-a-uuid" },
		"bad bomFormat":         func(m map[string]any) { m["bomFormat"] = "SPDX" },
		"version not a number":  func(m map[string]any) { m["version"] = "1" },
		"bad component type":    func(m map[string]any) { m["components"].([]any)[0].(map[string]any)["type"] = "program" },
		"bad timestamp":         func(m map[string]any) { m["metadata"].(map[string]any)["timestamp"] = "yesterday" },
		"bad hash content": func(m map[string]any) {
			m["metadata"].(map[string]any)["component"].(map[string]any)["hashes"].([]any)[0].(map[string]any)["content"] = "xyz"
		},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good, &m); err != nil {
				t.Fatal(err)
			}
			m["metadata"].(map[string]any)["timestamp"] = "2024-01-02T03:04:05Z"
			mutate(m)
			b, _ := json.Marshal(m)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if err := bomSchema(t).Validate(inst); err == nil {
				t.Fatalf("schema accepted an invalid SBOM:\n%s", b)
			}
		})
	}
}

// ---- real binaries ----

// The test program: a main module with one dependency replaced by a local
// directory (example.com/greet => ../greet) and one real module replaced by
// another version of itself (github.com/google/uuid v1.5.0 => v1.6.0). uuid
// v1.6.0 is in the module cache because this package imports it, so the
// build works offline (GOPROXY=off) and records a real h1: sum.
var testProgram = map[string]string{
	"greet/go.mod":   "module example.com/greet\n\ngo 1.22\n",
	"greet/greet.go": "package greet\n\nfunc Hello() string { return \"hello\" }\n",
	"hello/go.mod": `module example.com/hello

go 1.22

require (
	example.com/greet v1.2.3
	github.com/google/uuid v1.5.0
)

replace example.com/greet => ../greet

replace github.com/google/uuid v1.5.0 => github.com/google/uuid v1.6.0
`,
	"hello/main.go": `package main

import (
	"fmt"

	"example.com/greet"
	"github.com/google/uuid"
)

func main() { fmt.Println(greet.Hello(), uuid.NameSpaceURL) }
`,
}

func goEnv(extra ...string) []string {
	env := append(os.Environ(),
		"GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local",
		"GOFLAGS=-mod=mod -buildvcs=false", "CGO_ENABLED=0")
	return append(env, extra...)
}

func goCmd(t *testing.T) string {
	t.Helper()
	g, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("these tests build real Go binaries and need the go command on PATH: %v", err)
	}
	return g
}

type buildResult struct {
	once sync.Once
	path string
	err  error
}

var (
	buildRoot string // made by TestMain, removed after the tests
	buildMu   sync.Mutex
	builds    = map[string]*buildResult{}
)

// buildHello builds the test program for goos/goarch ("" for the host) with
// -trimpath, once per target per test run; different targets build in
// parallel.
func buildHello(t *testing.T, goos, goarch string) string {
	t.Helper()
	key := goos + "/" + goarch
	buildMu.Lock()
	r, ok := builds[key]
	if !ok {
		r = &buildResult{}
		builds[key] = r
	}
	n := len(builds)
	buildMu.Unlock()
	g := goCmd(t)
	r.once.Do(func() { r.path, r.err = build(g, filepath.Join(buildRoot, fmt.Sprint(n)), goos, goarch) })
	if r.err != nil {
		t.Fatalf("building the test program for %s: %v", key, r.err)
	}
	return r.path
}

func build(goCmd, dir, goos, goarch string) (string, error) {
	for name, body := range testProgram {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return "", err
		}
	}
	out := filepath.Join(dir, "hello.bin")
	// -trimpath as bundle builds; -tags and -gcflags so that build settings
	// with a plain and a quoted value are recorded. (-ldflags is not: the go
	// command leaves it out of the build info under -trimpath.)
	cmd := exec.Command(goCmd, "build", "-trimpath", "-tags=sbomtest", "-gcflags=-N -l", "-o", out, ".")
	cmd.Dir = filepath.Join(dir, "hello")
	var extra []string
	if goos != "" {
		extra = append(extra, "GOOS="+goos, "GOARCH="+goarch)
	}
	cmd.Env = goEnv(extra...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	return out, nil
}

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "sbom-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildRoot = d
	code := m.Run()
	os.RemoveAll(buildRoot)
	os.Exit(code)
}

// ---- `go version -m`, parsed independently of the code under test ----

type gvMod struct{ path, version, sum string }

type goVersionM struct {
	goVersion, path string
	main            *gvMod
	deps            []gvMod // the module linked in: the replacement where there is one
	replaced        map[string]string
	build           [][2]string
}

func runGoVersionM(t *testing.T, bin string) goVersionM {
	t.Helper()
	cmd := exec.Command(goCmd(t), "version", "-m", bin)
	cmd.Env = goEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	var r goVersionM
	r.replaced = map[string]string{}
	lines := strings.Split(string(out), "\n")
	first := lines[0]
	i := strings.LastIndex(first, ": ")
	if i < 0 {
		t.Fatalf("go version -m: first line %q", first)
	}
	r.goVersion = first[i+2:]
	for _, line := range lines[1:] {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(strings.TrimPrefix(line, "\t"), "\t")
		for len(f) < 4 {
			f = append(f, "")
		}
		switch f[0] {
		case "path":
			r.path = f[1]
		case "mod":
			r.main = &gvMod{f[1], f[2], f[3]}
		case "dep":
			r.deps = append(r.deps, gvMod{f[1], f[2], f[3]})
		case "=>":
			if len(r.deps) == 0 {
				t.Fatalf("go version -m: => before any dep: %q", line)
			}
			orig := r.deps[len(r.deps)-1]
			r.deps[len(r.deps)-1] = gvMod{f[1], f[2], f[3]}
			r.replaced[f[1]] = orig.path + "@" + orig.version
		case "build":
			kv := strings.TrimPrefix(line, "\tbuild\t")
			k, v := unquoteSetting(t, kv)
			r.build = append(r.build, [2]string{k, v})
		default:
			t.Fatalf("go version -m: unexpected line %q", line)
		}
	}
	return r
}

// unquoteSetting splits a "build" line's key=value; go version -m quotes a
// key or value that holds spaces, tabs, quotes or '='.
func unquoteSetting(t *testing.T, s string) (string, string) {
	t.Helper()
	var key string
	if strings.HasPrefix(s, `"`) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			t.Fatalf("build line %q: %v", s, err)
		}
		key, _ = strconv.Unquote(q)
		s = s[len(q):]
	} else {
		i := strings.IndexByte(s, '=')
		if i < 0 {
			t.Fatalf("build line %q has no =", s)
		}
		key, s = s[:i], s[i:]
	}
	val, ok := strings.CutPrefix(s, "=")
	if !ok {
		t.Fatalf("build line: %q", s)
	}
	if strings.HasPrefix(val, `"`) {
		u, err := strconv.Unquote(val)
		if err != nil {
			t.Fatalf("build value %q: %v", val, err)
		}
		val = u
	}
	return key, val
}

// ---- the decoded SBOM ----

type sbomDoc struct {
	Schema       string `json:"$schema"`
	SerialNumber string
	SpecVersion  string
	Metadata     struct {
		Timestamp  string
		Tools      struct{ Components []sbomComp }
		Component  sbomComp
		Properties []struct{ Name, Value string }
	}
	Components   []sbomComp
	Dependencies []struct {
		Ref       string
		DependsOn []string
	}
}

type sbomComp struct {
	Type       string
	BOMRef     string `json:"bom-ref"`
	Name       string
	Version    string
	PURL       string
	Hashes     []struct{ Alg, Content string }
	Properties []struct{ Name, Value string }
}

func (c sbomComp) prop(name string) (string, bool) {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

func writeFile(t *testing.T, bin string, o Options) []byte {
	t.Helper()
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if err := Write(&buf, f, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func h1Hex(t *testing.T, sum string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sum, "h1:"))
	if err != nil || !strings.HasPrefix(sum, "h1:") || len(b) != 32 {
		t.Fatalf("go version -m printed a sum that is not h1: %q", sum)
	}
	return hex.EncodeToString(b)
}

var epoch = time.Unix(1700000000, 0)

func TestWriteMatchesGoVersionM(t *testing.T) {
	for _, target := range []struct{ goos, goarch string }{ // ELF, PE and Mach-O
		{"", ""}, // the host: ELF on the machines this runs on
		{"windows", "amd64"},
		{"darwin", "arm64"},
	} {
		name := "host"
		if target.goos != "" {
			name = target.goos + "-" + target.goarch
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bin := buildHello(t, target.goos, target.goarch)
			raw, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			exeSum := sha256.Sum256(raw)
			out := writeFile(t, bin, Options{Name: "Hello", Version: "1.2.3", Time: epoch, ToolVersion: "0.9.0"})
			validate(t, out)

			var doc sbomDoc
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			gv := runGoVersionM(t, bin)

			// Exactly what go version -m lists: main module, deps (as
			// linked in, i.e. replacements), the toolchain.
			want := []string{"std " + gv.goVersion}
			if gv.main == nil {
				t.Fatal("go version -m printed no main module")
			}
			want = append(want, gv.main.path+" "+gv.main.version)
			for _, d := range gv.deps {
				want = append(want, d.path+" "+d.version)
			}
			var got []string
			byName := map[string]sbomComp{}
			for _, c := range doc.Components {
				got = append(got, c.Name+" "+c.Version)
				byName[c.Name] = c
			}
			sort.Strings(want)
			if !sort.StringsAreSorted(got) {
				t.Errorf("components not sorted: %q", got)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("components:\n%s\nwant (go version -m):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if len(gv.deps) != 2 || len(gv.replaced) != 2 {
				t.Fatalf("test program should link two replaced modules; go version -m: %+v", gv)
			}

			mainC := byName[gv.main.path]
			if mainC.Type != "application" || mainC.PURL != "pkg:golang/example.com/hello" {
				t.Errorf("main module component: %+v", mainC)
			}
			std := byName["std"]
			if std.PURL != "pkg:golang/std@"+gv.goVersion || std.Type != "library" {
				t.Errorf("toolchain component: %+v", std)
			}
			var depRefs []string
			for _, d := range gv.deps {
				c := byName[d.path]
				depRefs = append(depRefs, c.BOMRef)
				if c.Type != "library" {
					t.Errorf("%s: type %q", d.path, c.Type)
				}
				if orig, ok := c.prop(PropReplaced); !ok || orig != gv.replaced[d.path] {
					t.Errorf("%s: %s = %q, want %q", d.path, PropReplaced, orig, gv.replaced[d.path])
				}
				if d.sum == "" {
					if len(c.Hashes) != 0 || c.PURL != "" {
						t.Errorf("%s (a directory) has hashes or a purl: %+v", d.path, c)
					}
					continue
				}
				if c.PURL != "pkg:golang/"+d.path+"@"+d.version {
					t.Errorf("%s: purl %q", d.path, c.PURL)
				}
				if len(c.Hashes) != 1 || c.Hashes[0].Alg != "SHA-256" || c.Hashes[0].Content != h1Hex(t, d.sum) {
					t.Errorf("%s: hashes %+v, want SHA-256 %s (from %s)", d.path, c.Hashes, h1Hex(t, d.sum), d.sum)
				}
				if s, _ := c.prop(PropSum); s != d.sum {
					t.Errorf("%s: %s = %q, want %q", d.path, PropSum, s, d.sum)
				}
			}
			if u := byName["github.com/google/uuid"]; u.Version != "v1.6.0" {
				t.Errorf("uuid should appear as its replacement v1.6.0: %+v", u)
			}
			if g := byName["../greet"]; g.Name == "" {
				t.Errorf("directory replacement ../greet missing")
			}

			// Build settings: every `build` line, in order, and nothing else.
			var wantProps []string
			wantProps = append(wantProps, PropPackagePath+"="+gv.path)
			for _, kv := range gv.build {
				wantProps = append(wantProps, PropBuildPrefix+kv[0]+"="+kv[1])
			}
			var gotProps []string
			for _, p := range doc.Metadata.Properties {
				gotProps = append(gotProps, p.Name+"="+p.Value)
			}
			if strings.Join(gotProps, "\n") != strings.Join(wantProps, "\n") {
				t.Errorf("metadata properties:\n%s\nwant:\n%s", strings.Join(gotProps, "\n"), strings.Join(wantProps, "\n"))
			}
			wantGOOS := target.goos
			if wantGOOS == "" {
				wantGOOS = strings.TrimSpace(goOutput(t, "env", "GOOS"))
			}
			for _, kv := range []string{PropBuildPrefix + "GOOS=" + wantGOOS, PropBuildPrefix + "-trimpath=true", PropBuildPrefix + "CGO_ENABLED=0", PropBuildPrefix + "-tags=sbomtest", PropBuildPrefix + "-gcflags=-N -l"} {
				if !contains(gotProps, kv) {
					t.Errorf("metadata properties lack %s", kv)
				}
			}

			// Metadata.
			art := doc.Metadata.Component
			if art.Name != "Hello" || art.Version != "1.2.3" || art.Type != "application" ||
				len(art.Hashes) != 1 || art.Hashes[0].Content != hex.EncodeToString(exeSum[:]) {
				t.Errorf("metadata.component: %+v", art)
			}
			if doc.SerialNumber != SerialNumber(exeSum) {
				t.Errorf("serialNumber %s, want %s", doc.SerialNumber, SerialNumber(exeSum))
			}
			if doc.Metadata.Timestamp != "2023-11-14T22:13:20Z" {
				t.Errorf("timestamp %q", doc.Metadata.Timestamp)
			}
			if tc := doc.Metadata.Tools.Components; len(tc) != 1 || tc[0].Name != "bundle" || tc[0].Version != "0.9.0" {
				t.Errorf("metadata.tools: %+v", tc)
			}

			// Dependencies: artifact -> main, std; main -> every dep; every
			// ref names a component.
			refs := map[string]bool{art.BOMRef: true}
			for _, c := range doc.Components {
				if refs[c.BOMRef] || c.BOMRef == "" {
					t.Errorf("bom-ref %q empty or not unique", c.BOMRef)
				}
				refs[c.BOMRef] = true
			}
			graph := map[string][]string{}
			for _, d := range doc.Dependencies {
				for _, r := range append([]string{d.Ref}, d.DependsOn...) {
					if !refs[r] {
						t.Errorf("dependency ref %q names no component", r)
					}
				}
				graph[d.Ref] = d.DependsOn
			}
			if got, want := graph[art.BOMRef], sorted(mainC.BOMRef, std.BOMRef); !equal(got, want) {
				t.Errorf("artifact depends on %q, want %q", got, want)
			}
			if got, want := graph[mainC.BOMRef], sorted(depRefs...); !equal(got, want) {
				t.Errorf("main module depends on %q, want %q", got, want)
			}
		})
	}
}

func goOutput(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(goCmd(t), args...)
	cmd.Env = goEnv()
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return string(b)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sorted(s ...string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func equal(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func TestDeterministic(t *testing.T) {
	bin := buildHello(t, "", "")
	o := Options{Name: "Hello", Version: "1.2.3", Time: epoch, ToolVersion: "0.9.0"}
	a := writeFile(t, bin, o)
	b := writeFile(t, bin, o)
	if !bytes.Equal(a, b) {
		t.Fatalf("two writes differ:\n%s\n---\n%s", a, b)
	}
	// Any io.ReaderAt gives the same bytes as an *os.File.
	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	if err := Write(&c, bytes.NewReader(raw), o); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, c.Bytes()) {
		t.Fatal("Write from a bytes.Reader differs from Write from the file")
	}
	// The time is the only input that moves the timestamp, and it is UTC.
	o.Time = epoch.In(time.FixedZone("X", 3*3600))
	if d := writeFile(t, bin, o); !bytes.Equal(a, d) {
		t.Fatal("the same instant in another zone changed the SBOM")
	}
}

func TestNotAGoBinary(t *testing.T) {
	bin := buildHello(t, "", "")
	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	// The same executable with its build info header defaced.
	magic := []byte("\xff Go buildinf:")
	i := bytes.Index(raw, magic)
	if i < 0 {
		t.Fatal("test binary has no build info header")
	}
	defaced := append([]byte(nil), raw...)
	copy(defaced[i:], "\x00 No buildinf:")

	for name, data := range map[string][]byte{
		"text":              []byte("#!/bin/sh\necho hello\n"),
		"empty":             nil,
		"no build info":     defaced,
		"truncated program": raw[:len(raw)/64],
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, bytes.NewReader(data), Options{Name: "x"})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "sbom: ") || !strings.Contains(err.Error(), "build info") {
				t.Errorf("error %q should start with sbom: and mention the build info", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestWriteError(t *testing.T) {
	bin := buildHello(t, "", "")
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = Write(failWriter{}, f, Options{})
	if err == nil || err.Error() != "sbom: writing: disk full" {
		t.Fatalf("error %v", err)
	}
}

// ---- build info shapes a small test program does not produce ----

func encode(t *testing.T, bi *debug.BuildInfo, o Options) []byte {
	t.Helper()
	doc, err := newBOM(bi, sha256.Sum256([]byte(bi.String())), o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuildInfoShapes(t *testing.T) {
	const sum = "h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0="
	const sumHex = "348bda24330eb231c0f27d630212d2833ac0cf2d4782bfa136b6f9edefbde05d" // base64 -d | xxd -p

	t.Run("versions, module replacement, vendored build", func(t *testing.T) {
		bi := &debug.BuildInfo{
			GoVersion: "go1.26.8 X:boringcrypto",
			Path:      "example.com/tool/cmd/tool",
			Main:      debug.Module{Path: "example.com/tool", Version: "v1.4.0"},
			Deps: []*debug.Module{
				{Path: "github.com/old/thing", Version: "v2.0.0+incompatible", Sum: sum},
				{Path: "example.com/orig", Version: "v0.1.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v0.1.1-0.20240102030405-abcdefabcdef", Sum: sum}},
				{Path: "example.com/vendored", Version: "v1.0.0"}, // -mod=vendor records no sum
			},
			Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "-ldflags", Value: `-X "main.v=1 2"`}},
		}
		b := encode(t, bi, Options{}) // no Options: fallbacks, no timestamp
		validate(t, b)
		var doc sbomDoc
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Metadata.Timestamp != "" {
			t.Errorf("zero Time gave timestamp %q", doc.Metadata.Timestamp)
		}
		if a := doc.Metadata.Component; a.Name != "tool" || a.Version != "v1.4.0" {
			t.Errorf("artifact fallbacks: %+v", a)
		}
		purls := map[string]sbomComp{}
		for _, c := range doc.Components {
			purls[c.PURL] = c
		}
		for _, p := range []string{
			"pkg:golang/example.com/tool@v1.4.0",
			"pkg:golang/github.com/old/thing@v2.0.0%2Bincompatible",
			"pkg:golang/example.com/fork@v0.1.1-0.20240102030405-abcdefabcdef",
			"pkg:golang/example.com/vendored@v1.0.0",
			"pkg:golang/std@go1.26.8%20X%3Aboringcrypto",
		} {
			if _, ok := purls[p]; !ok {
				t.Errorf("no component with purl %s", p)
			}
		}
		if len(doc.Components) != 5 {
			t.Errorf("%d components, want 5", len(doc.Components))
		}
		fork := purls["pkg:golang/example.com/fork@v0.1.1-0.20240102030405-abcdefabcdef"]
		if v, _ := fork.prop(PropReplaced); v != "example.com/orig@v0.1.0" {
			t.Errorf("fork %s = %q", PropReplaced, v)
		}
		if len(fork.Hashes) != 1 || fork.Hashes[0].Content != sumHex {
			t.Errorf("fork hashes %+v", fork.Hashes)
		}
		if v := purls["pkg:golang/example.com/vendored@v1.0.0"]; len(v.Hashes) != 0 || len(v.Properties) != 0 {
			t.Errorf("a module without a sum got hashes or properties: %+v", v)
		}
	})

	t.Run("loose files outside a module", func(t *testing.T) {
		// `go build x.go` outside any module: path command-line-arguments,
		// no main module.
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Path: "command-line-arguments"}
		b := encode(t, bi, Options{Name: "x", Version: "1"})
		validate(t, b)
		var doc sbomDoc
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Components) != 1 || doc.Components[0].Name != "std" {
			t.Errorf("components %+v, want only std", doc.Components)
		}
		if len(doc.Dependencies) != 1 || !equal(doc.Dependencies[0].DependsOn, []string{"pkg:golang/std@go1.26.8"}) {
			t.Errorf("dependencies %+v", doc.Dependencies)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for name, bi := range map[string]*debug.BuildInfo{
			"no go version": {Path: "a", Main: debug.Module{Path: "a"}},
			"no name":       {GoVersion: "go1.26.8"},
		} {
			if _, err := newBOM(bi, [32]byte{}, Options{}); err == nil || !strings.HasPrefix(err.Error(), "sbom: ") {
				t.Errorf("%s: error %v", name, err)
			}
		}
	})
}

func TestSerialNumber(t *testing.T) {
	a := SerialNumber(sha256.Sum256([]byte("a")))
	b := SerialNumber(sha256.Sum256([]byte("b")))
	if a == b || a != SerialNumber(sha256.Sum256([]byte("a"))) {
		t.Fatalf("serial numbers %s %s", a, b)
	}
	// Version 5 (name-based, SHA-1), RFC 4122 variant.
	if len(a) != len("urn:uuid:")+36 || a[len("urn:uuid:")+14] != '5' || !strings.ContainsRune("89ab", rune(a[len("urn:uuid:")+19])) {
		t.Fatalf("%s is not a version 5 UUID URN", a)
	}
}
