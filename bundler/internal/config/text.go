package config

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Text values end up verbatim in control files, desktop entries, XML and
// installer scripts, where a line break starts a new field and a bidi
// override makes text read differently from what it says. Every string in
// bundle.yaml is therefore checked against the characters below: all of
// them are refused on one line, and all but LF in multi-line text.
//
// The table is the single source of both the Go check and the JSON Schema
// pattern, so the two cannot drift.
var forbiddenRunes = []struct {
	lo, hi rune
	what   string
}{
	{0x00, 0x08, "a control character"},
	{0x09, 0x09, "a tab"},
	{0x0a, 0x0a, "a line break"},
	{0x0b, 0x0c, "a control character"},
	{0x0d, 0x0d, "a line break"},
	{0x0e, 0x1f, "a control character"},
	{0x7f, 0x84, "a control character"},
	{0x85, 0x85, "a line break"},
	{0x86, 0x9f, "a control character"},
	{0x2028, 0x2029, "a line break"},
	{0x202a, 0x202e, "a bidirectional override"},
	{0x2066, 0x2069, "a bidirectional isolate"},
	// Go reads invalid UTF-8 as U+FFFD; so does every JSON decoder.
	{utf8.RuneError, utf8.RuneError, "invalid UTF-8 or U+FFFD"},
}

// Both patterns are written so that Go's RE2 and ECMA-262 (with or without
// the u flag) read them alike: \xHH for code points up to U+00FF, the
// character itself above that, and no classes such as \s whose meaning
// differs. Schema escapes the literal ones in its JSON output.
var (
	linePattern      = textPattern(false)
	multilinePattern = textPattern(true)
	lineText         = regexp.MustCompile(linePattern)
	multilineText    = regexp.MustCompile(multilinePattern)
)

func textPattern(multiline bool) string {
	var b strings.Builder
	b.WriteString("^[^")
	for _, f := range forbiddenRunes {
		lo, hi := f.lo, f.hi
		if multiline && lo <= '\n' && '\n' <= hi {
			if lo < '\n' {
				b.WriteString(classRange(lo, '\n'-1))
			}
			if hi > '\n' {
				b.WriteString(classRange('\n'+1, hi))
			}
			continue
		}
		b.WriteString(classRange(lo, hi))
	}
	b.WriteString("]*$")
	return b.String()
}

func classRange(lo, hi rune) string {
	esc := func(r rune) string {
		if r <= 0xff {
			return fmt.Sprintf(`\x%02x`, r)
		}
		return string(r)
	}
	if lo == hi {
		return esc(lo)
	}
	return esc(lo) + "-" + esc(hi)
}

// forbiddenRune reports whether r is one of the characters no bundle.yaml
// value may hold (ignoring that LF is fine in multi-line text).
func forbiddenRune(r rune) bool {
	for _, f := range forbiddenRunes {
		if f.lo <= r && r <= f.hi {
			return true
		}
	}
	return false
}

// checkText returns what is wrong with s as a one-line (or, with
// multiline, a multi-line) value, or "". The regular expression decides, as
// the schema's pattern does; the table only names the culprit.
func checkText(s string, multiline bool) string {
	re := lineText
	if multiline {
		re = multilineText
	}
	if re.MatchString(s) {
		return ""
	}
	for _, r := range s {
		if multiline && r == '\n' {
			continue
		}
		for _, f := range forbiddenRunes {
			if r < f.lo || r > f.hi {
				continue
			}
			code := fmt.Sprintf("U+%04X", r)
			switch {
			case r == utf8.RuneError:
				return "holds invalid UTF-8 or U+FFFD (the replacement character); save bundle.yaml as UTF-8 and retype the value"
			case f.what == "a line break" && multiline:
				return fmt.Sprintf("holds a line break other than a plain newline (%s); use plain newlines (U+000A) only", code)
			case f.what == "a line break":
				return fmt.Sprintf("holds a line break (%s); keep it on one line", code)
			case f.what == "a tab":
				return fmt.Sprintf("holds a tab (%s); use spaces", code)
			case strings.HasPrefix(f.what, "a bidirectional"):
				return fmt.Sprintf("holds %s (%s), which makes text display differently from what it says; remove it", f.what, code)
			}
			return fmt.Sprintf("holds %s (%s); remove it", f.what, code)
		}
	}
	return "holds a character bundle.yaml does not accept; remove it" // unreachable while the pattern is built from the table
}

// escapeForbidden rewrites the forbidden characters in JSON text as \uXXXX
// escapes, so the generated schema holds no invisible or line-breaking
// characters itself. It is only valid on JSON, where such characters can
// appear only inside strings.
func escapeForbidden(json []byte) []byte {
	var b strings.Builder
	for _, r := range string(json) {
		if r > 0x7f && forbiddenRune(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return []byte(b.String())
}
