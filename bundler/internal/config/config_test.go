package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/bundlekit/bundle/internal/schematest"
)

// known mirrors what bundler/formats supplies, so these tests do not
// depend on which formats exist.
var known = Known{
	OSes:           []string{"linux", "windows", "darwin"},
	Targets:        []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"},
	Formats:        map[string][]string{"linux": {"tar.gz", "zip", "deb", "rpm", "apk", "archlinux"}, "windows": {"zip"}, "darwin": {"tar.gz", "zip"}},
	DefaultFormats: map[string][]string{"linux": {"tar.gz"}, "windows": {"zip"}, "darwin": {"tar.gz"}},
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key with suggestion", "name: A\nfromats: {}\n", `bundle.yaml:2:1: unknown key "fromats" (did you mean "formats"?)`},
		{"unknown key without suggestion", "name: A\nxyzzy: 1\n", `bundle.yaml:2:1: unknown key "xyzzy"; valid keys are name, id,`},
		{"nested unknown key", "name: A\nbuild:\n  tagz: [a]\n", `bundle.yaml:3:3: build: unknown key "tagz" (did you mean "tags"?)`},
		{"string expected", "name: A\nversion: 1.2\n", `bundle.yaml:2:10: version: expected a string, got a number (1.2); quote it if you meant the text: "1.2"`},
		{"bool expected", "name: A\ngui: yes please\n", `bundle.yaml:2:6: gui: expected true or false, got a string ("yes please")`},
		{"list expected", "name: A\ntargets: linux/amd64\n", `bundle.yaml:2:10: targets: expected a list such as [a, b], got a string ("linux/amd64")`},
		{"enum with suggestion", "name: A\ntargets: [linux/amd46]\n", `bundle.yaml:2:11: targets[0]: "linux/amd46" is not a GOOS/GOARCH pair such as linux/amd64 (did you mean "linux/amd64"?)`},
		{"duplicate list item", "name: A\ntargets: [linux/amd64, linux/amd64]\n", `bundle.yaml:2:24: targets[1]: "linux/amd64" is listed twice; keep one`},
		{"pattern", "name: A\nid: hello\n", `bundle.yaml:2:5: id: "hello" is not valid; use reverse DNS such as com.example.hello`},
		{"forbid", "name: A\nfiles: [{src: ../x}]\n", `bundle.yaml:2:15: files[0].src: "../x" is not valid; use a path inside the project`},
		{"required", "id: com.example.a\n", `bundle.yaml:1:1: missing key "name"; add name: <a display name such as "Hello Desktop">`},
		{"required null", "name:\n", `bundle.yaml:1:6: name: has no value; give it a display name`},
		{"duplicate key", "name: A\nname: B\n", `bundle.yaml:2:1`},
		{"syntax", "name: [a\n", `bundle.yaml:`},
		{"empty list", "name: A\nformats:\n  linux: []\n", `bundle.yaml:3:10: formats.linux: the list is empty`},
		{"too large", strings.Repeat("#", MaxSize+1), "bundle.yaml: the file is 1048577 bytes, more than the 1048576 a bundle.yaml may hold"},
		{"billion laughs", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nname: *c\n", "bundle.yaml:1:4: anchors (&a) are not supported"},
		{"deep nesting", "name: " + strings.Repeat("[", 20000) + "\n", "bundle.yaml:1:"},
		{"format for the wrong OS", "name: A\nformats:\n  windows: [tar.gz]\n", `formats.windows[0]: "tar.gz" is not a format for this OS; use one of zip`},
		{"version format with a space", "name: A\nbuild:\n  version_format: \"v {{.Version}}\"\n", `build.version_format: "v {{.Version}}" is not valid; use the version's placeholder with what goes around it, such as v{{.Version}}`},
		{"version format without its placeholder", "name: A\nbuild:\n  version_format: \"v1.0\"\n", `build.version_format: "v1.0" is not valid`},
		{"version format twice", "name: A\nbuild:\n  version_format: \"{{.Version}}{{.Version}}\"\n", `build.version_format: "{{.Version}}{{.Version}}" is not valid`},
		{"whole number expected", "name: A\nruntime:\n  max_procs: \"64\"\n", `bundle.yaml:3:14: runtime.max_procs: expected a whole number, got a string ("64"); use a whole number from 2 to 4096`},
		{"whole number out of range", "name: A\nruntime:\n  max_procs: 1\n", `bundle.yaml:3:14: runtime.max_procs: 1 is not a whole number from 2 to 4096`},
		{"whole number too large", "name: A\nruntime:\n  max_procs: 99999999999999999999\n", `runtime.max_procs: expected a whole number, got a number (99999999999999999999); use a whole number from 2 to 4096`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode("bundle.yaml", []byte(tt.yaml), known)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	p, err := Decode("bundle.yaml", []byte("name: Hello Desktop!\nfiles: [{src: docs/}]\n"), known)
	if err != nil {
		t.Fatal(err)
	}
	in := p.Config
	c := WithDefaults(in, known)
	if c.Binary != "hello-desktop" || c.Main != "." || len(c.Targets) != 6 {
		t.Errorf("defaults: binary %q main %q targets %v", c.Binary, c.Main, c.Targets)
	}
	if c.Formats.ForOS("windows")[0] != "zip" || c.Formats.ForOS("linux")[0] != "tar.gz" {
		t.Errorf("default formats: %+v", c.Formats)
	}
	if c.Files[0].Dst != "docs" {
		t.Errorf("default dst = %q, want docs", c.Files[0].Dst)
	}
	if c.Runtime.Guard != "chain" || c.Runtime.Grace != "5s" || c.Runtime.Procs() != 64 {
		t.Errorf("default runtime: guard %q grace %q max_procs %d, want chain, 5s and 64", c.Runtime.Guard, c.Runtime.Grace, c.Runtime.Procs())
	}
	if in.Binary != "" || in.Files[0].Dst != "" {
		t.Error("WithDefaults changed its input")
	}
}

func TestVersionValue(t *testing.T) {
	for format, want := range map[string]string{"": "1.2.3-rc.1", "{{.Version}}": "1.2.3-rc.1", "v{{.Version}}": "v1.2.3-rc.1", "v{{ .Version }}+bundle": "v1.2.3-rc.1+bundle"} {
		if got := (Build{VersionFormat: format}).VersionValue("1.2.3-rc.1"); got != want {
			t.Errorf("VersionValue with %q = %q, want %q", format, got, want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Hello Desktop": "hello-desktop", "  Ünïcode Äpp ": "n-code-pp", "!!!": "app", "A1 B2": "a1-b2"} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSchemaAgreesWithDecoder proves the generated JSON Schema and the
// decoder accept and reject the same files: every example config, every
// good fixture and every bad fixture, with the schema's patterns read both
// as Go reads them and as ECMA-262 (what editors use) reads them. Bad
// fixtures named yaml-* break rules of the YAML text (anchors, tags, a
// second document) that a JSON Schema cannot see: the decoder must reject
// them, the schema is not asked.
func TestSchemaAgreesWithDecoder(t *testing.T) {
	engines := map[string]*jsonschema.Schema{"go": compileSchema(t, nil), "ecma": compileSchema(t, schematest.ECMARegexp)}
	files, _ := filepath.Glob("../../../testdata/config/*/*.yaml")
	examples, _ := filepath.Glob("../../../examples/*/bundle.yaml")
	files = append(files, examples...)
	if len(files) < 30 {
		t.Fatalf("found only %d configs", len(files))
	}
	var accepted, rejected, yamlOnly int
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, decErr := Decode("bundle.yaml", raw, known)
			if strings.Contains(f, "/good/") && decErr != nil {
				t.Errorf("good config rejected: %v", decErr)
			}
			if strings.HasPrefix(filepath.Base(f), "yaml-") {
				if decErr == nil {
					t.Error("the decoder accepts it")
				}
				yamlOnly++
				return
			}
			for name, sch := range engines {
				schemaErr := validateYAML(sch, raw)
				if (decErr == nil) != (schemaErr == nil) {
					t.Errorf("disagree: decoder says %v; schema (%s regexp) says %v", decErr, name, schemaErr)
				}
			}
			if decErr == nil {
				accepted++
			} else {
				rejected++
			}
		})
	}
	if rejected < 40 {
		t.Errorf("only %d configs rejected by both; the bad fixtures should reach the schema", rejected)
	}
	t.Logf("%d accepted by both, %d rejected by both, %d YAML-level rejected by the decoder", accepted, rejected, yamlOnly)
}

// compileSchema compiles the generated schema, with engine as its regular
// expression engine (nil: Go's regexp, the validator's default).
func compileSchema(t *testing.T, engine jsonschema.RegexpEngine) *jsonschema.Schema {
	t.Helper()
	data, err := Schema(known)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if engine != nil {
		c.UseRegexpEngine(engine)
	}
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return sch
}

// validateYAML validates a YAML document as JSON Schema sees it. A YAML
// syntax error counts as a rejection.
func validateYAML(s *jsonschema.Schema, raw []byte) error {
	var v any
	if err := yaml.Unmarshal(raw, &v); err != nil {
		return err
	}
	if v == nil {
		v = map[string]any{}
	}
	return validateValue(s, v)
}

func validateValue(s *jsonschema.Schema, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// TestBadFixtures decodes the bad fixtures about text, YAML features and
// the shape of the file, and checks the whole message: where, what and the
// fix, on one line.
func TestBadFixtures(t *testing.T) {
	tests := []struct{ fixture, want string }{
		{"maintainer-newline", "bundle.yaml:14:13: maintainer: holds a line break (U+000A); keep it on one line"},
		{"maintainer-block", "bundle.yaml:14:13: maintainer: holds a line break (U+000A); keep it on one line"},
		{"license-newline", "bundle.yaml:16:10: license: holds a line break (U+000A); keep it on one line"},
		{"license-line-separator", "bundle.yaml:16:10: license: holds a line break (U+2028); keep it on one line"},
		{"copyright-nel", "bundle.yaml:17:12: copyright: holds a line break (U+0085); keep it on one line"},
		{"description-tab", "bundle.yaml:12:14: description: holds a tab (U+0009); use spaces"},
		{"description-cr", "bundle.yaml:12:14: description: holds a line break other than a plain newline (U+000D); use plain newlines (U+000A) only"},
		{"description-long", "bundle.yaml:12:14: description: is 4001 characters long; shorten it to at most 4000"},
		{"name-bidi", "bundle.yaml:1:7: name: holds a bidirectional override (U+202E), which makes text display differently from what it says; remove it"},
		{"name-isolate", "bundle.yaml:1:7: name: holds a bidirectional isolate (U+2066)"},
		{"name-long", "bundle.yaml:1:7: name: is 101 characters long; shorten it to at most 100"},
		{"publisher-nul", "bundle.yaml:13:12: publisher: holds a control character (U+0000); remove it"},
		{"publisher-del", "bundle.yaml:13:12: publisher: holds a control character (U+007F); remove it"},
		{"publisher-c1", "bundle.yaml:13:12: publisher: holds a control character (U+009B); remove it"},
		{"publisher-replacement", "bundle.yaml:13:12: publisher: holds invalid UTF-8 or U+FFFD (the replacement character); save bundle.yaml as UTF-8 and retype the value"},
		{"files-src-tab", "bundle.yaml:11:10: files[0].src: holds a tab (U+0009); use spaces"},
		{"homepage-space", `bundle.yaml:15:11: homepage: "https://example.com/a b" is not valid; use an http(s) URL`},
		{"files-backslash", `bundle.yaml:11:10: files[0].src: "assets\\..\\..\\secret" is not valid; use a path inside the project`},
		{"main-dotdot", `bundle.yaml:4:7: main: "./../outside" is not valid`},
		{"raw-control-char", "bundle.yaml:13:19: holds a control character (U+0007) that YAML does not allow; remove it"},
		{"raw-line-separator", "bundle.yaml:13:19: holds an invisible line break (U+0085); use a plain newline, or remove it"},
		{"invalid-utf8", "bundle.yaml:13:19: the file is not valid UTF-8 here; save bundle.yaml as UTF-8"},
		{"yaml-anchor", "bundle.yaml:1:7: anchors (&n) are not supported in bundle.yaml; remove the anchor and write each value out"},
		{"yaml-alias-key", "bundle.yaml:1:7: anchors (&binary) are not supported in bundle.yaml"},
		{"yaml-anchor-binary", "bundle.yaml:3:9: anchors (&b) are not supported in bundle.yaml"},
		{"yaml-alias-value", "bundle.yaml:12:1: invalid YAML: unknown anchor 'anchor' referenced"},
		{"yaml-merge-key", "bundle.yaml:9:3: merge keys (<<) are not supported in bundle.yaml; write the keys out"},
		{"yaml-binary-tag", `bundle.yaml:1:7: tags such as "!!binary" are not supported in bundle.yaml; remove the tag (quote a value to make it text)`},
		{"yaml-custom-tag", `bundle.yaml:1:7: tags such as "!foo" are not supported in bundle.yaml`},
		{"yaml-str-tag", `bundle.yaml:5:10: tags such as "!!str" are not supported in bundle.yaml`},
		{"yaml-two-documents", "bundle.yaml:27:1: a second YAML document starts here; bundle.yaml holds one document, so remove this --- and what follows"},
		{"yaml-complex-key", "bundle.yaml:1:3: a key must be a plain word such as name, not a list"},
		{"yaml-line-one", "bundle.yaml:1:1: invalid YAML: found character that cannot start any token"},
		{"yaml-bad-escape", "bundle.yaml:12:1: invalid YAML: found invalid Unicode character escape code"},
		{"yaml-syntax", "bundle.yaml:1:1: invalid YAML: did not find expected ',' or ']'"},
		{"empty", "bundle.yaml: the file is empty; run `bundle init` to write a starter bundle.yaml"},
		{"all-comments", "bundle.yaml: the file is empty; run `bundle init` to write a starter bundle.yaml"},
		{"null-document", "bundle.yaml:2:1: the document is empty; run `bundle init` to write a starter bundle.yaml"},
		{"not-a-mapping", "bundle.yaml:1:1: bundle.yaml must be a mapping of keys to values such as name: Hello, not a list"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "config", "bad", tt.fixture+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Decode("bundle.yaml", raw, known)
			if err == nil {
				t.Fatalf("accepted; want %s", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			if !oneLine(err.Error()) {
				t.Errorf("error is not one clean line: %q", err)
			}
		})
	}
}

// oneLine reports whether msg is printable text on one line.
func oneLine(msg string) bool {
	for _, r := range msg {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError {
			return false
		}
	}
	return utf8.ValidString(msg)
}
