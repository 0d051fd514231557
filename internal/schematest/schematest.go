// Package schematest validates documents against JSON Schemas that other
// projects publish (winget's, Scoop's), with regular expressions read as
// ECMA-262 reads them, as JSON Schema specifies and those projects'
// validators do.
package schematest

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// Compile reads the schema at path.
func Compile(t testing.TB, path string) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(ECMARegexp)
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatalf("%s does not compile: %v", path, err)
	}
	return sch
}

// ValidateJSON returns the schema's verdict on a JSON document.
func ValidateJSON(sch *jsonschema.Schema, data []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(doc)
}

// ValidateYAML returns the schema's verdict on a YAML document, read as
// the JSON it stands for.
func ValidateYAML(sch *jsonschema.Schema, data []byte) error {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return err
	}
	j, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ValidateJSON(sch, j)
}

// ECMARegexp reads patterns as ECMA-262 does, which is what JSON Schema
// specifies and what editors' validators use: a jsonschema.RegexpEngine.
func ECMARegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return ecma{re}, nil
}

type ecma struct{ re *regexp2.Regexp }

func (e ecma) MatchString(s string) bool {
	ok, err := e.re.MatchString(s)
	return err == nil && ok
}

func (e ecma) String() string { return e.re.String() }
