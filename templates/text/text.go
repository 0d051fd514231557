// Package text turns configuration text into the shapes generated files
// need: one line for single-line fields, a synopsis and paragraphs for a
// multi-line description. Every format passes text through here before
// its own escaping, so a line break or control character in a value can
// never start a new field, line or command, whichever format it lands in.
//
// Like package templates, it is not part of bundle's API. It is not under
// bundler/internal because templates escapes with it, and templates may
// import nothing below bundler/internal.
package text

import (
	"strings"
	"unicode/utf8"
)

// Line is s on one line: each line break (CR LF counts as one) and every
// other control character (C0, DEL, C1, U+2028, U+2029) becomes a space,
// and bytes that are not UTF-8, or characters no text format may hold
// (U+FFFE, U+FFFF), become U+FFFD. Nothing else changes, spaces at either
// end included.
func Line(s string) string {
	if isLine(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				b.WriteRune(utf8.RuneError)
				continue
			}
			b.WriteRune(r)
		case r == '\n' && i > 0 && s[i-1] == '\r':
			// the CR of CR LF already became the space
		case control(r):
			b.WriteByte(' ')
		case r == 0xFFFE || r == 0xFFFF:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isLine(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || control(r) || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}

// control reports characters that break or control lines.
func control(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029'
}

// Lines splits s into lines at LF, CR LF, CR, NEL, U+2028 and U+2029, each
// line made a Line and its spaces at both ends trimmed.
func Lines(s string) []string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(Line(l))
	}
	return lines
}

// Synopsis is the first line of a description that is not blank: the
// one-line summary of formats that hold one line (a package's synopsis, a
// desktop entry's Comment, an MSI's Comments). A multi-line description
// follows the Debian convention: its first line sums it up.
func Synopsis(desc string) string {
	for _, l := range Lines(desc) {
		if l != "" {
			return l
		}
	}
	return ""
}

// Body is what follows the synopsis line of a description: its
// paragraphs, which blank lines separate, each with its lines joined by
// spaces; none for a one-line description.
func Body(desc string) []string {
	lines := Lines(desc)
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return nil
	}
	var out, cur []string
	for _, l := range append(lines[1:], "") {
		if l != "" {
			cur = append(cur, l)
			continue
		}
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
	}
	return out
}
