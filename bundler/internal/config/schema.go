package config

import (
	"encoding/json"
	"reflect"
)

// SchemaID is the $id of the generated JSON Schema.
const SchemaID = "https://github.com/bundlekit/bundle/bundle.schema.json"

// Schema returns the JSON Schema (draft 2020-12) of bundle.yaml, generated
// from the same field rules the decoder applies.
func Schema(known Known) ([]byte, error) {
	s := object(reflect.TypeOf(Config{}), known)
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = SchemaID
	s["title"] = "bundle.yaml"
	s["description"] = "Configuration of bundle, the packager for Go applications."
	out, err := json.MarshalIndent(s, "", "  ")
	return escapeForbidden(out), err
}

type schema = map[string]any

func object(t reflect.Type, known Known) schema {
	props := schema{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		r := rulesOf(f, known)
		props[r.key] = property(f.Type, r, known)
		if r.required {
			required = append(required, r.key)
		}
	}
	s := schema{"type": "object", "properties": props, "additionalProperties": false}
	if required != nil {
		s["required"] = required
	}
	return s
}

// property describes one field. Optional fields also accept null, because
// the decoder reads "key:" with no value as the zero value.
func property(t reflect.Type, r rule, known Known) schema {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var s schema
	switch t.Kind() {
	case reflect.Struct:
		s = object(t, known)
	case reflect.Slice:
		s = schema{"type": "array", "items": property(t.Elem(), r.item(), known)}
		if r.unique {
			s["uniqueItems"] = true
		}
		if r.nonempty {
			s["minItems"] = 1
		}
	case reflect.String:
		text := linePattern
		if r.multiline {
			text = multilinePattern
		}
		s = schema{"type": "string", "maxLength": r.max, "pattern": text}
		if r.pattern != nil {
			// One schema holds one pattern; the field's own goes beside it.
			s["allOf"] = []schema{{"pattern": r.pattern.String()}}
		}
		if r.forbid != nil {
			s["not"] = schema{"pattern": r.forbid.String()}
		}
		if r.enum != nil {
			s["enum"] = r.enum
		}
	case reflect.Bool:
		s = schema{"type": "boolean"}
	case reflect.Int:
		s = schema{"type": "integer", "minimum": r.minimum, "maximum": r.maximum}
	}
	if r.doc != "" {
		s["description"] = r.doc
	}
	if !r.required {
		s = schema{"anyOf": []schema{s, {"type": "null"}}}
		if r.doc != "" {
			s["description"] = r.doc
		}
	}
	return s
}
