package scaffold

import (
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSynopsis is the longest summary line Debian accepts (lintian's
// synopsis-too-long).
const maxSynopsis = 80

// readmeNames are the README files looked at, in order.
var readmeNames = []string{"README.md", "README.markdown", "README", "README.txt", "README.rst"}

// describe is a description for the app from its README, else from the
// main package's doc comment: a summary line that Debian and Fedora accept
// (not starting with the package name or an article, at most 80
// characters), then the rest of that paragraph. ok is false when neither
// has a plain sentence to use.
func describe(dir string, mainFiles []string, names []string, pkg string) (string, bool) {
	for _, name := range readmeNames {
		data, err := readFold(dir, name)
		if err != nil {
			continue
		}
		if d, ok := fromReadme(string(data), names, pkg); ok {
			return d, true
		}
		break
	}
	return fromDoc(mainFiles, names, pkg)
}

// readFold reads the file in dir whose name is name in any case.
func readFold(dir, name string) ([]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if strings.EqualFold(e.Name(), name) && e.Type().IsRegular() {
			return os.ReadFile(filepath.Join(dir, e.Name()))
		}
	}
	return nil, os.ErrNotExist
}

var (
	mdImage     = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	mdLink      = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdRefLink   = regexp.MustCompile(`\[([^\]]*)\]\[[^\]]*\]`)
	htmlTag     = regexp.MustCompile(`<[^>]*>`)
	mdEmphasis  = regexp.MustCompile("(\\*\\*|__|`+|\\*)")
	setextRule  = regexp.MustCompile(`^(=+|-+)\s*$`)
	htmlHeading = regexp.MustCompile(`(?i)^<h[1-6]\b`)
	listMarker  = regexp.MustCompile(`^([-*+>|]|[0-9]+[.)]|\.\. |:)`)
	// firstSentence is the text up to the first full stop that ends a
	// sentence: followed by the end or by a space and a capital letter.
	firstSentence = regexp.MustCompile(`^(.+?[.!])(\s+\p{Lu}|\s*$)`)
)

// fromReadme takes a summary from the README's introduction (what comes
// before its second Markdown heading): the first plain paragraph whose
// subject is the app ("fzf is a …"), else the paragraph right under the
// title. HTML and Markdown markup is removed; headings, lists, tables,
// quotes and code are skipped.
func fromReadme(text string, names []string, pkg string) (string, bool) {
	blocks := introBlocks(text)
	for _, b := range blocks {
		if startsWithName(b.text, names) {
			if d, ok := fromParagraph(b.text, names, pkg); ok {
				return d, true
			}
		}
	}
	for _, b := range blocks {
		if b.underTitle {
			return fromParagraph(b.text, names, pkg)
		}
	}
	return "", false
}

// block is a paragraph of a README; underTitle marks the first one after
// the first heading.
type block struct {
	text       string
	underTitle bool
}

// introBlocks splits the README's introduction into paragraphs. An HTML
// line is a block of its own, and an HTML heading is decoration rather than
// the structure of the document.
func introBlocks(text string) []block {
	var out []block
	var para []string
	headings, sinceHeading := 0, 0
	fenced := false
	flush := func() {
		if len(para) > 0 {
			out = append(out, block{text: strings.Join(para, " "), underTitle: headings == 1 && sinceHeading == 0})
			sinceHeading++
		}
		para = nil
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t")
		trimmed := strings.TrimSpace(line)
		setext := trimmed != "" && !fenced && i+1 < len(lines) &&
			setextRule.MatchString(strings.TrimSpace(lines[i+1])) && !listMarker.MatchString(trimmed)
		switch {
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			fenced = !fenced
			para = nil
		case fenced:
		case strings.HasPrefix(trimmed, "#"), setext:
			if setext {
				i++ // the underline
			}
			para = nil
			headings++
			sinceHeading = 0
			if headings >= 2 {
				return out
			}
		case trimmed == "":
			flush()
		case strings.HasPrefix(trimmed, "<"):
			flush()
			if !htmlHeading.MatchString(trimmed) {
				para = []string{trimmed}
				flush()
			}
		case len(para) == 0 && listMarker.MatchString(trimmed), strings.HasPrefix(line, "    "), strings.HasPrefix(line, "\t"):
			// lists, quotes, tables and indented code are no summary
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return out
}

// startsWithName reports whether the paragraph's text begins with one of
// the app's names, markup aside.
func startsWithName(p string, names []string) bool {
	p = strings.TrimSpace(mdEmphasis.ReplaceAllString(htmlTag.ReplaceAllString(p, ""), ""))
	for _, n := range names {
		if n != "" && len(p) > len(n) && strings.EqualFold(p[:len(n)], n) && p[len(n)] == ' ' {
			return true
		}
	}
	return false
}

// fromParagraph turns a paragraph into a description when it is plain
// prose whose first sentence makes an acceptable summary.
func fromParagraph(p string, names []string, pkg string) (string, bool) {
	p = mdImage.ReplaceAllString(p, "")
	p = mdLink.ReplaceAllString(p, "$1")
	p = mdRefLink.ReplaceAllString(p, "$1")
	p = htmlTag.ReplaceAllString(p, "")
	p = mdEmphasis.ReplaceAllString(p, "")
	p = strings.Join(strings.Fields(p), " ")
	if p == "" || strings.ContainsAny(p, "[]<>|{}") || strings.Contains(p, "://") {
		return "", false
	}
	m := firstSentence.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	syn, ok := summary(m[1], names, pkg)
	if !ok {
		return "", false
	}
	if rest := strings.TrimSpace(p[len(m[1]):]); rest != "" {
		return syn + "\n" + rest, true
	}
	return syn, true
}

// fromDoc uses the doc comment of the main package: Go's convention for a
// command is "Gofmt formats Go programs.", which becomes "Formats Go
// programs". "Package main …" says nothing about the app and is skipped.
func fromDoc(files []string, names []string, pkg string) (string, bool) {
	fset := token.NewFileSet()
	for _, f := range files {
		ast, err := parser.ParseFile(fset, f, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil || ast.Doc == nil {
			continue
		}
		text := new(doc.Package).Synopsis(ast.Doc.Text())
		if strings.HasPrefix(text, "Package main") || text == "" {
			continue
		}
		text = strings.TrimPrefix(text, "Command ")
		return summary(text, names, pkg)
	}
	return "", false
}

// summary rewrites a sentence about the app as a Debian synopsis: without
// the app's name as subject ("fzf is a general-purpose command-line fuzzy
// finder." becomes "General-purpose command-line fuzzy finder"), without a
// leading article or the final full stop, capitalised. ok is false when the
// result would still be refused: too long, one word, or starting with pkg.
func summary(sentence string, names []string, pkg string) (string, bool) {
	s := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(sentence), ".!"))
	for _, n := range names {
		if n == "" || len(s) <= len(n) || !strings.EqualFold(s[:len(n)], n) {
			continue
		}
		rest := s[len(n):]
		if r, _ := utf8.DecodeRuneInString(rest); r != ' ' {
			continue
		}
		s = strings.TrimSpace(rest)
		for _, verb := range []string{"is ", "are "} {
			if strings.HasPrefix(s, verb) {
				s = s[len(verb):]
			}
		}
		break
	}
	lower := strings.ToLower(s)
	for _, article := range []string{"a ", "an ", "the "} {
		if strings.HasPrefix(lower, article) {
			s = s[len(article):]
			break
		}
	}
	r, size := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(r) {
		return "", false
	}
	s = string(unicode.ToUpper(r)) + s[size:]
	switch {
	case len(s) > maxSynopsis, !strings.Contains(s, " "), strings.Contains(s, ". "):
		return "", false
	case pkg != "" && regexp.MustCompile(`(?i)^`+regexp.QuoteMeta(pkg)+`\b`).MatchString(s):
		return "", false
	}
	return s, true
}
