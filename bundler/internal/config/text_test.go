package config

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/bundlekit/bundle/internal/schematest"
)

// hostileStrings returns values every one-line field must refuse: each
// forbidden character alone, between words and at the ends, and invalid
// UTF-8. The multiline flag says whether multi-line text refuses it too.
func hostileStrings() (s []string, multiline []bool) {
	add := func(v string, ml bool) { s, multiline = append(s, v), append(multiline, ml) }
	for _, f := range forbiddenRunes {
		for r := f.lo; r <= f.hi; r++ {
			c := string(r)
			add(c, r != '\n')
			add("Jane Doe <jane@example.com>"+c+"Pre-Depends: evil", r != '\n')
			add("A"+c, r != '\n')
		}
	}
	for _, bad := range []string{"a\xffb", "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"} {
		add(bad, true)
	}
	add("line\r\nExec=evil", true)
	add("paragraph\n\n\u202eevil", true)
	return s, multiline
}

// benignStrings are values the text rule must accept, as one line and as
// multi-line text.
var benignStrings = []string{
	"Hello Desktop", "Grüße 世界", "مرحبا", "שלום", "😀 emoji", "no\u00a0break space",
	"left\u200eto\u200fright marks", "zero\u200dwidth joiner", "© 2026 Example Corp", "\ufeffbom",
}

// TestTextRule checks the Go check and the schema pattern, read by Go's
// regexp and by an ECMA-262 engine, agree on every hostile and benign
// string, and that each refusal names the character on one line.
func TestTextRule(t *testing.T) {
	data, err := Schema(known)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(string(data), "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u0085\ufffd") {
		t.Error("the schema holds a forbidden character unescaped")
	}
	var doc struct {
		Properties map[string]struct {
			Pattern string
			AnyOf   []struct{ Pattern string }
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	patterns := map[bool]string{false: doc.Properties["name"].Pattern, true: doc.Properties["description"].AnyOf[0].Pattern}
	if patterns[false] != linePattern || patterns[true] != multilinePattern {
		t.Fatalf("schema patterns %q, %q are not the text patterns", patterns[false], patterns[true])
	}

	hostile, refusedMultiline := hostileStrings()
	check := func(s string, multiline, wantOK bool) {
		t.Helper()
		p := patterns[multiline]
		goOK := regexp.MustCompile(p).MatchString(s)
		ecmaOK, err := regexp2.MustCompile(p, regexp2.ECMAScript).MatchString(s)
		if err != nil {
			t.Fatal(err)
		}
		msg := checkText(s, multiline)
		if goOK != wantOK || ecmaOK != wantOK || (msg == "") != wantOK {
			t.Errorf("%q (multiline %v): Go pattern %v, ECMA pattern %v, check %q; want ok=%v", s, multiline, goOK, ecmaOK, msg, wantOK)
		}
		if msg != "" && (!oneLine(msg) || !strings.HasPrefix(msg, "holds ")) {
			t.Errorf("%q: message %q", s, msg)
		}
	}
	for i, s := range hostile {
		check(s, false, false)
		check(s, true, !refusedMultiline[i])
	}
	for _, s := range benignStrings {
		check(s, false, true)
		check(s, true, true)
		check(s+"\n"+s, true, true)
	}
	t.Logf("%d hostile and %d benign strings, each checked as one line and as multi-line text", len(hostile), len(benignStrings))
}

// TestTextRuleEveryField puts each hostile string into every string field
// of bundle.yaml in turn and checks the
// decoder and the schema (Go and ECMA-262 regexps) both refuse it.
func TestTextRuleEveryField(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{"go": compileSchema(t, nil), "ecma": compileSchema(t, schematest.ECMARegexp)}
	fields := stringFields()
	if len(fields) < 30 {
		t.Fatalf("found only %d string fields", len(fields))
	}
	hostile, refusedMultiline := hostileStrings()
	var cases int
	for _, f := range fields {
		for i, s := range hostile {
			if f.multiline && !refusedMultiline[i] {
				continue
			}
			cases++
			v := f.with(s)
			// JSON is YAML, and unlike yaml.Marshal (which writes "\n" as an
			// empty block) it keeps every string intact in its escapes.
			raw, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			_, decErr := Decode("bundle.yaml", raw, known)
			if decErr == nil {
				t.Errorf("%s = %q: the decoder accepts it", f.path, s)
			} else if !oneLine(decErr.Error()) {
				t.Errorf("%s = %q: message %q is not one clean line", f.path, s, decErr)
			}
			for name, sch := range schemas {
				if validateValue(sch, v) == nil {
					t.Errorf("%s = %q: the schema (%s regexp) accepts it", f.path, s, name)
				}
			}
		}
	}
	t.Logf("%d string fields, %d field×string cases", len(fields), cases)
}

// field is a string field of Config, reached through nested mappings and
// lists.
type field struct {
	path      string
	multiline bool
	with      func(s string) map[string]any // a minimal valid config with the field set to s
}

// stringFields lists every string field, and every list of strings, by
// walking the Config type with the same rules the decoder uses.
func stringFields() []field {
	var out []field
	base := func() map[string]any { return map[string]any{"name": "A"} }
	var walk func(t reflect.Type, keys []any)
	walk = func(t reflect.Type, keys []any) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			r := rulesOf(sf, known)
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			path := append(append([]any(nil), keys...), r.key)
			switch {
			case ft.Kind() == reflect.Struct:
				walk(ft, path)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				walk(ft.Elem(), append(path, 0))
			case ft.Kind() == reflect.String, ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
				list := ft.Kind() == reflect.Slice
				out = append(out, field{path: strings.Trim(strings.ReplaceAll(fmt.Sprint(path), " ", "."), "[]"), multiline: r.multiline, with: func(s string) map[string]any {
					m := base()
					var v any = s
					if list {
						v = []any{s}
					}
					set(m, path, v)
					return m
				}})
			}
		}
	}
	walk(reflect.TypeOf(Config{}), nil)
	return out
}

// set puts v at path in m, making mappings and one-item lists on the way.
// A list of structs (files:) gets the src its items need.
func set(m map[string]any, path []any, v any) {
	cur := m
	for i := 0; i < len(path)-1; i++ {
		k := path[i].(string)
		if _, isList := path[i+1].(int); isList {
			item := map[string]any{"src": "a"}
			cur[k] = []any{item}
			cur = item
			i++
			continue
		}
		next, ok := cur[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
	last := path[len(path)-1].(string)
	cur[last] = v
	// sign.gpg, sign.apk and sign.windows need their key file.
	if len(path) == 3 && path[0] == "sign" {
		for _, req := range []string{"key_file", "pfx_file"} {
			if _, ok := cur[req]; !ok && (req == "pfx_file") == (path[1] == "windows") {
				cur[req] = "k"
			}
		}
	}
}
