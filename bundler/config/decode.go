package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/bundlekit/bundle/bundler/exitcode"
)

// Error is a problem in bundle.yaml, located as precisely as the problem
// allows. Its message is one line: where, what, and how to fix it.
type Error struct {
	File      string
	Line, Col int // 0 when the problem has no single place (a missing key in an empty file)
	Msg       string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Project is a decoded bundle.yaml and the directory it lives in, with the
// position of every value, so later checks (files on disk, the main package)
// can point at the line too.
type Project struct {
	Path   string // as given, used in messages
	Dir    string // the project directory: the folder holding bundle.yaml
	Config Config
	pos    map[string]*yaml.Node
}

// Load reads, decodes and validates path, then applies defaults. Every error
// is marked as a configuration error (exit code 2).
func Load(path string, known Known) (*Project, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, exitcode.Config(fmt.Errorf("%s: no such file; run `bundle init` to write one, or pass --config", path))
		}
		return nil, exitcode.Config(fmt.Errorf("%s: %w", path, err))
	}
	f, err := Decode(path, data, known)
	if err != nil {
		return nil, exitcode.Config(err)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	f.Dir = abs
	f.Config = WithDefaults(f.Config, known)
	return f, nil
}

// Decode checks data against the field rules and decodes it. It does not
// look at the file system and does not apply defaults.
func Decode(name string, data []byte, known Known) (*Project, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, syntaxError(name, err)
	}
	f := &Project{Path: name, pos: map[string]*yaml.Node{}}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	d := walker{file: name, known: known, pos: f.pos}
	if err := d.value(root, reflect.TypeOf(Config{}), rule{}, ""); err != nil {
		return nil, err
	}
	if root.Kind != 0 {
		if err := root.Decode(&f.Config); err != nil {
			return nil, &Error{File: name, Msg: err.Error()}
		}
	}
	return f, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError rewrites yaml.v3's "yaml: line 3: …" into file:line form.
func syntaxError(name string, err error) error {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return &Error{File: name, Line: line, Col: 1, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: name, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
}

// walker checks a YAML node tree against the Config type and its rules.
type walker struct {
	file  string
	known Known
	pos   map[string]*yaml.Node
}

func (w walker) errAt(n *yaml.Node, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &Error{File: w.file, Line: n.Line, Col: n.Column, Msg: msg}
}

func (w walker) value(n *yaml.Node, t reflect.Type, r rule, path string) error {
	if t.Kind() == reflect.Pointer { // an optional value whose absence means "default"
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	w.pos[path] = n
	if n.Kind == 0 || n.ShortTag() == "!!null" {
		if r.required {
			return w.errAt(n, path, "has no value; give it %s", r.hint)
		}
		return nil // "key:" with no value: the zero value
	}
	switch t.Kind() {
	case reflect.Struct:
		return w.mapping(n, t, path)
	case reflect.Slice:
		return w.sequence(n, t, r, path)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			return w.errAt(n, path, "expected a string, got %s%s", describe(n), quoteHint(n))
		}
		if msg := r.checkString(n.Value); msg != "" {
			return w.errAt(n, path, "%s", msg)
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			return w.errAt(n, path, "expected true or false, got %s", describe(n))
		}
	}
	return nil
}

func (w walker) mapping(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.MappingNode {
		return w.errAt(n, path, "expected a mapping of keys to values, got %s", describe(n))
	}
	fields := map[string]reflect.StructField{}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		k := t.Field(i).Tag.Get("yaml")
		fields[k] = t.Field(i)
		keys = append(keys, k)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		f, ok := fields[key.Value]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", key.Value)
			if near := nearest(key.Value, keys); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			} else {
				msg += "; valid keys are " + strings.Join(keys, ", ")
			}
			return w.errAt(key, path, "%s", msg)
		}
		if seen[key.Value] {
			return w.errAt(key, path, "key %q is given twice; keep one", key.Value)
		}
		seen[key.Value] = true
		if err := w.value(val, f.Type, rulesOf(f, w.known), join(path, key.Value)); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if r := rulesOf(fields[k], w.known); r.required && !seen[k] {
			return w.errAt(n, path, "missing key %q; add %s: <%s>", k, k, r.hint)
		}
	}
	return nil
}

func (w walker) sequence(n *yaml.Node, t reflect.Type, r rule, path string) error {
	if n.Kind != yaml.SequenceNode {
		return w.errAt(n, path, "expected a list such as [a, b], got %s", describe(n))
	}
	if r.nonempty && len(n.Content) == 0 {
		return w.errAt(n, path, "the list is empty; name at least one item or remove the key")
	}
	seen := map[string]bool{}
	for i := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		if err := w.value(n.Content[i], t.Elem(), r.item(), p); err != nil {
			return err
		}
		if v := n.Content[i]; r.unique {
			if seen[v.Value] {
				return w.errAt(v, p, "%q is listed twice; keep one", v.Value)
			}
			seen[v.Value] = true
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("a string (%q)", n.Value)
	case "!!int", "!!float":
		return fmt.Sprintf("a number (%s)", n.Value)
	case "!!bool":
		return fmt.Sprintf("a boolean (%s)", n.Value)
	}
	return fmt.Sprintf("%q", n.Value)
}

// quoteHint suggests quoting when YAML read a version-like value as a number.
func quoteHint(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!float" || n.ShortTag() == "!!int" || n.ShortTag() == "!!bool") {
		return fmt.Sprintf("; quote it if you meant the text: \"%s\"", n.Value)
	}
	return ""
}
