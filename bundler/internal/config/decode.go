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
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
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
	known  Known
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
	f.known = known
	f.Config = WithDefaults(f.Config, known)
	return f, nil
}

// MaxSize is the largest bundle.yaml Decode reads: far more than any real
// one, small enough that a hostile file costs little to reject.
const MaxSize = 1 << 20

// Decode checks data against the field rules and decodes it. It does not
// look at the file system and does not apply defaults.
func Decode(name string, data []byte, known Known) (*Project, error) {
	if len(data) > MaxSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("the file is %d bytes, more than the %d a bundle.yaml may hold; keep only settings in it", len(data), MaxSize)}
	}
	if err := checkStream(name, data); err != nil {
		return nil, err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Msg: "the file is empty; run `bundle init` to write a starter bundle.yaml"}
	} else if err != nil {
		return nil, syntaxError(name, data, err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, &Error{File: name, Line: separatorLine(data, &next), Col: 1, Msg: "a second YAML document starts here; bundle.yaml holds one document, so remove this --- and what follows"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(name, data, err)
	}
	if err := plainYAML(name, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	switch {
	case root.ShortTag() == "!!null":
		return nil, &Error{File: name, Line: root.Line, Col: root.Column, Msg: "the document is empty; run `bundle init` to write a starter bundle.yaml"}
	case root.Kind != yaml.MappingNode:
		return nil, &Error{File: name, Line: root.Line, Col: root.Column, Msg: fmt.Sprintf("bundle.yaml must be a mapping of keys to values such as name: Hello, not %s", describe(root))}
	}
	f := &Project{Path: name, pos: map[string]*yaml.Node{}}
	d := walker{file: name, known: known, pos: f.pos}
	if err := d.value(root, reflect.TypeOf(Config{}), rule{}, ""); err != nil {
		return nil, err
	}
	// The tree holds no aliases, merge keys or tags (plainYAML) and every
	// key and value has passed the walker, so yaml.v3 decodes exactly what
	// was checked.
	if err := root.Decode(&f.Config); err != nil {
		return nil, &Error{File: name, Line: root.Line, Col: root.Column, Msg: firstLine(err.Error())}
	}
	return f, nil
}

// separatorLine is the line of the "---" that starts doc, or of doc's
// first node when only comments, directives or "..." lie between it and the
// first document.
func separatorLine(data []byte, doc *yaml.Node) int {
	line := max(doc.Line, 1)
	if len(doc.Content) > 0 && doc.Content[0].Line > 0 {
		line = doc.Content[0].Line
	}
	lines := bytes.Split(data, []byte("\n"))
	for l := min(line, len(lines)); l >= 1; l-- {
		text := bytes.TrimSpace(lines[l-1])
		switch {
		case bytes.HasPrefix(text, []byte("---")):
			return l
		case l < line && len(text) > 0 && text[0] != '#' && text[0] != '%' && !bytes.Equal(text, []byte("...")):
			return line // the content of the first document: no separator between
		}
	}
	return line
}

// checkStream finds what yaml.v3's reader rejects without saying where
// (bytes that are not UTF-8, characters YAML does not allow in a file) and
// the line breaks other than CR and LF that YAML 1.1 honours.
func checkStream(name string, data []byte) error {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return &Error{File: name, Line: line, Col: col, Msg: "the file is not valid UTF-8 here; save bundle.yaml as UTF-8"}
		case !yamlPrintable(r):
			return &Error{File: name, Line: line, Col: col, Msg: fmt.Sprintf("holds a control character (U+%04X) that YAML does not allow; remove it", r)}
		case r == 0x85 || r == 0x2028 || r == 0x2029:
			// YAML 1.1 reads these as line breaks, editors do not show
			// them as such, and lines would no longer be counted alike.
			return &Error{File: name, Line: line, Col: col, Msg: fmt.Sprintf("holds an invisible line break (U+%04X); use a plain newline, or remove it", r)}
		}
		col++
		if r == '\n' {
			line, col = line+1, 1
		}
		i += size
	}
	return nil
}

// yamlPrintable is YAML 1.1's set of characters allowed in a stream.
func yamlPrintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

// plainYAML refuses anchors, aliases, merge keys and explicit tags
// anywhere in the tree, before any other check. Refusing them is simpler
// and safer than validating what they resolve to: an alias used as a key or
// a "<<" merge would otherwise reach the decoder unchecked, nested aliases
// can expand a small file into a huge tree, and a bundle.yaml is short
// enough to write every value out.
func plainYAML(name string, n *yaml.Node) error {
	at := func(format string, args ...any) error {
		return &Error{File: name, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case n.Kind == yaml.AliasNode:
		return at("aliases (*%s) are not supported in bundle.yaml; write the value out", n.Value)
	case n.Anchor != "":
		return at("anchors (&%s) are not supported in bundle.yaml; remove the anchor and write each value out", n.Anchor)
	case n.Kind == yaml.ScalarNode && n.Tag == "!!merge":
		return at("merge keys (<<) are not supported in bundle.yaml; write the keys out")
	case n.Style&yaml.TaggedStyle != 0:
		return at("tags such as %q are not supported in bundle.yaml; remove the tag (quote a value to make it text)", n.Tag)
	}
	for _, c := range n.Content {
		if err := plainYAML(name, c); err != nil {
			return err
		}
	}
	return nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError rewrites yaml.v3's "yaml: line 3: …" into file:line form.
// Some yaml.v3 errors carry no line (those on the first line, and a few
// from its scanner); for them the line is the shortest prefix of the file
// that yields the same error.
func syntaxError(name string, data []byte, err error) error {
	msg := firstLine(err.Error())
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Col: 1, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: name, Line: errorLine(data, msg), Col: 1, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// errorLine finds, by bisection, the fewest leading lines of data on which
// yaml.v3 fails with msg.
func errorLine(data []byte, msg string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	fails := func(k int) bool {
		dec := yaml.NewDecoder(bytes.NewReader(bytes.Join(lines[:k], nil)))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if err == nil {
				continue
			}
			return !errors.Is(err, io.EOF) && firstLine(err.Error()) == msg
		}
	}
	lo, hi := 1, len(lines)
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
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
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			return w.errAt(n, path, "expected a whole number, got %s; use %s", describe(n), r.hint)
		}
		if _, msg := r.checkInt(n.Value); msg != "" {
			return w.errAt(n, path, "%s", msg)
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
		if key.Kind != yaml.ScalarNode {
			return w.errAt(key, path, "a key must be a plain word such as name, not %s", describe(key))
		}
		f, ok := fields[key.Value]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", key.Value)
			if near := Nearest(key.Value, keys); near != "" {
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
