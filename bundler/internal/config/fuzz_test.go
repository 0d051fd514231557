package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzDecode checks that no bundle.yaml fools the decoder: Decode either
// refuses the file with a located, one-line error, or returns a Config in
// which every string keeps its rule. The checks below are written apart
// from the field rules on purpose, so a mistake in one is caught by the
// other.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob("../../../testdata/config/*/*.yaml")
	examples, _ := filepath.Glob("../../../examples/*/bundle.yaml")
	for _, path := range append(seeds, examples...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range hostileSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode("bundle.yaml", data, known)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("not a config error: %#v", err)
			}
			if e.Line == 0 && !strings.HasPrefix(e.Msg, "the file is empty;") && !strings.Contains(e.Msg, "a bundle.yaml may hold") {
				t.Fatalf("no line: %v", err)
			}
			if !oneLine(err.Error()) {
				t.Fatalf("not one clean line: %q", err)
			}
			return
		}
		c := p.Config
		if c.Name == "" {
			t.Fatal("accepted without a name")
		}
		eachString(reflect.ValueOf(c), "", func(path, s string) {
			if bad := badRune(s, path == "description"); bad >= 0 {
				t.Fatalf("%s = %q holds %U", path, s, bad)
			}
		})
		if c.Binary != "" && (filepath.Base(c.Binary) != c.Binary || strings.ContainsAny(c.Binary, `/\:`) || strings.Contains(c.Binary, "..")) {
			t.Fatalf("binary %q is not a plain file name", c.Binary)
		}
		paths := []string{c.Icon, c.Main, c.Linux.Scripts.PreInstall, c.Linux.Scripts.PostInstall, c.Linux.Scripts.PreRemove, c.Linux.Scripts.PostRemove}
		for _, fl := range c.Files {
			paths = append(paths, fl.Src, fl.Dst)
		}
		for _, path := range paths {
			if path != "" && (!filepath.IsLocal(path) || strings.Contains(path, `\`)) {
				t.Fatalf("path %q leaves the project", path)
			}
		}
	})
}

// hostileSeeds are inputs a reader of yaml.v3 and of the issue would try.
var hostileSeeds = []string{
	"",
	"# only a comment\n",
	"---\n",
	"~\n",
	"[]\n",
	"name: A\n---\nname: B\n",
	"name: &a A\nbinary: *a\n",
	"name: A\n&k binary: x\n*k : ../evil\n",
	"name: A\n<<: {binary: ../evil}\n",
	"name: A\nbuild: &b {tags: [a]}\nlinux: *b\n",
	"name: !!binary QQ==\n",
	"name: !foo A\n",
	"!!map {name: A}\n",
	"name: \"A\\nPre-Depends: evil\"\n",
	"name: A\nmaintainer: \"J <j@e.com>\\u2028X: y\"\n",
	"name: A\ndescription: \"a\\tb\"\n",
	"name: \"\\u202eexe.txt\"\n",
	"name: A\nbinary: ../../evil\n",
	"name: A\nfiles: [{src: a, dst: ../../x}]\n",
	"name: A\nmain: ./../x\n",
	"a: &a [x,x,x,x]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nname: *c\n",
	"\tname: A\n",
	"name: \"\\uD800\"\n",
	"name: A\x85binary: x\n",
	"? [name]\n: A\n",
	"name: " + strings.Repeat("[", 200) + "\n",
	"%YAML 1.1\n---\nname: A\n",
	"name: A\r\nversion: 1.0.0\r\n",
}

// eachString calls fn with every string in v, by its field path.
func eachString(v reflect.Value, path string, fn func(path, s string)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			eachString(v.Elem(), path, fn)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			eachString(v.Field(i), join(path, v.Type().Field(i).Tag.Get("yaml")), fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			eachString(v.Index(i), path, fn)
		}
	case reflect.String:
		fn(path, v.String())
	}
}

// badRune returns the first character s must not hold, or -1: a control
// character (a newline is allowed in multi-line text), a Unicode line or
// paragraph separator, a bidi override or isolate, or invalid UTF-8.
func badRune(s string, multiline bool) rune {
	if !utf8.ValidString(s) {
		return utf8.RuneError
	}
	for _, r := range s {
		switch {
		case r == '\n' && multiline:
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', r == utf8.RuneError,
			r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return r
		}
	}
	return -1
}
