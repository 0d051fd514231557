package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// known mirrors what bundler/formats supplies, so these tests do not
// depend on which formats exist.
var known = Known{
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
		{"format for the wrong OS", "name: A\nformats:\n  windows: [tar.gz]\n", `formats.windows[0]: "tar.gz" is not a format for this OS; use one of zip`},
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
	if in.Binary != "" || in.Files[0].Dst != "" {
		t.Error("WithDefaults changed its input")
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
// good fixture and every bad fixture.
func TestSchemaAgreesWithDecoder(t *testing.T) {
	data, err := Schema(known)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}

	files, _ := filepath.Glob("../../testdata/config/*/*.yaml")
	examples, _ := filepath.Glob("../../examples/*/bundle.yaml")
	files = append(files, examples...)
	if len(files) < 30 {
		t.Fatalf("found only %d configs", len(files))
	}
	var accepted, rejected int
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, decErr := Decode("bundle.yaml", raw, known)
			schemaErr := validateYAML(sch, raw)
			if (decErr == nil) != (schemaErr == nil) {
				t.Errorf("disagree: decoder says %v; schema says %v", decErr, schemaErr)
			}
			if strings.Contains(f, "/good/") && decErr != nil {
				t.Errorf("good config rejected: %v", decErr)
			}
			if decErr == nil {
				accepted++
			} else {
				rejected++
			}
		})
	}
	if rejected < 20 {
		t.Errorf("only %d configs rejected by both; the bad fixtures should reach the schema", rejected)
	}
	t.Logf("%d accepted by both, %d rejected by both", accepted, rejected)
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
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}
