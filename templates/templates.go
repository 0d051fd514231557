// Package templates holds every text file bundle generates (installer
// scripts, manifests, desktop entries, the starter bundle.yaml …) as
// text/template files, embedded so the bundle binary is self-contained.
//
// It is not part of bundle's API, though Go lets other modules import it:
// that is package bundler, and this one may change in any release. It is
// not under an internal folder because the templates live in templates/,
// where a reader of the repository looks for them, and go:embed reaches
// only the files in its package's folder and below: the package that
// embeds them has to be this one.
package templates

import (
	"bytes"
	"embed"
	"encoding/xml"
	"fmt"
	"strings"
	"text/template"
	"unicode"

	"github.com/bundlekit/bundle/templates/text"
)

//go:embed init hook linux windows macos pkgmgr
var files embed.FS

// Render executes the template at name (such as "init/bundle.yaml.tmpl")
// with data.
func Render(name string, data any) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).ParseFS(files, name)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, lastElem(name), data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// funcs are the helpers templates use to make every value inert where it
// lands: each escapes text for one syntax, so no value can start a field,
// line, element or command of its own.
var funcs = template.FuncMap{
	// line puts text on one line (text.Line).
	"line": text.Line,
	// xml escapes text for an XML element or attribute value; characters
	// XML cannot hold become U+FFFD (encoding/xml does both).
	"xml": xmlText,
	// comment makes text safe inside an XML comment: one line, escaped,
	// with no "--" and no "-" at its end, which would close or break it.
	"comment": xmlComment,
	// desktop escapes text for a desktop entry's string value.
	"desktop": desktopString,
	// category is a desktop entry category: the letters, digits, "-" and
	// "_" of s. Categories are names from a registry, and validators split
	// the list at every ";" even after a backslash, so nothing else can be
	// escaped into one.
	"category": func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '-' || r == '_' || r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return r
			}
			return -1
		}, s)
	},
	// desktopExec is one argument of a desktop entry's Exec key.
	"desktopExec": desktopExec,
	// ruby is a Ruby string literal, quotes included (a Homebrew cask);
	// rubyInner is its inside.
	"ruby":      rubyString,
	"rubyInner": rubyInner,
	// sh is one shell word, quoted (a PKGBUILD, which bash sources).
	"sh": shellWord,
}

// rubyString quotes s as a double-quoted Ruby literal on one line (as
// Homebrew's style asks), with \\, \" and \# escaped, so no
// interpolation (#{…}) can run. Hand-written: Go has no Ruby writer.
func rubyString(s string) string { return `"` + rubyInner(s) + `"` }

// rubyInner is rubyString without the quotes: a piece of a literal whose
// other pieces the template writes, such as Homebrew's #{arch}.
func rubyInner(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "#", `\#`).Replace(text.Line(s))
}

// shellWord quotes s for bash as one word on one line: single quotes,
// inside which nothing expands; a single quote in s closes the quotes,
// is written escaped by a backslash, and opens them again.
func shellWord(s string) string {
	return "'" + strings.ReplaceAll(text.Line(s), "'", `'\''`) + "'"
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

func xmlComment(s string) string {
	s = xmlText(text.Line(s))
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "- -")
	}
	if strings.HasSuffix(s, "-") {
		s += " "
	}
	return s
}

// desktopString escapes s as the Desktop Entry Specification's "string"
// and "localestring" values (section "Possible value types"): on one line,
// "\\" for a backslash and "\\s" for a space at either end, which parsers
// would otherwise trim. Hand-written: Go has no desktop-entry writer.
func desktopString(s string) string {
	s = strings.ReplaceAll(text.Line(s), `\`, `\\`)
	trimmed := strings.TrimLeft(s, " ")
	lead := len(s) - len(trimmed)
	rest := strings.TrimRight(trimmed, " ")
	trail := len(trimmed) - len(rest)
	return strings.Repeat(`\s`, lead) + rest + strings.Repeat(`\s`, trail)
}

// desktopExec quotes one Exec argument as the specification's "The Exec
// key" asks: an argument with a reserved character goes in double quotes,
// with " ` $ and \ escaped by a backslash inside them, and "%" is doubled
// (a lone "%" starts a field code). The result is then a string value.
func desktopExec(s string) string {
	s = strings.ReplaceAll(text.Line(s), "%", "%%")
	if s != "" && !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`") {
		return desktopString(s)
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if strings.ContainsRune("\"`$\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return strings.ReplaceAll(b.String(), `\`, `\\`)
}

func lastElem(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			return name[i+1:]
		}
	}
	return name
}
