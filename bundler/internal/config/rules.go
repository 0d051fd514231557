package config

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Known holds the values that depend on the rest of bundle rather than on
// this package: which targets can be built and which formats exist for each
// operating system (the format registry).
type Known struct {
	OSes           []string            // the operating systems, in order
	Targets        []string            // "linux/amd64", …
	Formats        map[string][]string // GOOS -> format names
	DefaultFormats map[string][]string // GOOS -> formats used when bundle.yaml names none
	// Checks are the formats' own rules for bundle.yaml (format name ->
	// check), run by Project.Check; each returns Project.Errorf's error.
	Checks map[string]func(*Project) error
}

// rule is the parsed form of one field's struct tags.
type rule struct {
	key      string
	doc      string
	hint     string
	required bool
	unique   bool
	nonempty bool
	pattern  *regexp.Regexp
	forbid   *regexp.Regexp
	enum     []string

	multiline bool // text:"multiline": LF line breaks allowed
	max       int  // most characters (code points) a string may hold

	minimum, maximum int // the range of an integer (tags minimum and maximum)
}

// DefaultMaxLen is the longest string a field without a max tag accepts.
const DefaultMaxLen = 256

func rulesOf(f reflect.StructField, known Known) rule {
	r := rule{
		key:      f.Tag.Get("yaml"),
		doc:      f.Tag.Get("doc"),
		hint:     f.Tag.Get("hint"),
		required: f.Tag.Get("required") == "true",
		unique:   f.Tag.Get("unique") == "true",
		nonempty: f.Tag.Get("nonempty") == "true",
	}
	switch t := f.Tag.Get("text"); t {
	case "", "line":
	case "multiline":
		r.multiline = true
	default:
		panic("config: unknown text tag " + strconv.Quote(t) + " on " + f.Name)
	}
	r.max = DefaultMaxLen
	if m := f.Tag.Get("max"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 {
			panic("config: bad max tag " + strconv.Quote(m) + " on " + f.Name)
		}
		r.max = n
	}
	if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Int || f.Type.Kind() == reflect.Int {
		var err1, err2 error
		r.minimum, err1 = strconv.Atoi(f.Tag.Get("minimum"))
		r.maximum, err2 = strconv.Atoi(f.Tag.Get("maximum"))
		if err1 != nil || err2 != nil || r.minimum > r.maximum {
			panic("config: an integer field needs minimum and maximum tags: " + f.Name)
		}
	}
	if p := f.Tag.Get("pattern"); p != "" {
		r.pattern = regexp.MustCompile(p)
	}
	if p := f.Tag.Get("forbid"); p != "" {
		r.forbid = regexp.MustCompile(p)
	}
	switch e := f.Tag.Get("enum"); {
	case e == "@targets":
		r.enum = known.Targets
	case strings.HasPrefix(e, "@formats."):
		r.enum = known.Formats[strings.TrimPrefix(e, "@formats.")]
		if r.enum == nil {
			r.enum = []string{} // an OS without formats accepts none
		}
	case e != "":
		r.enum = strings.Split(e, ",")
	}
	return r
}

// item is the rule for each element of a list: the list's value rules, and
// never null.
func (r rule) item() rule {
	return rule{pattern: r.pattern, forbid: r.forbid, enum: r.enum, hint: r.hint, required: true, multiline: r.multiline, max: r.max}
}

// checkString applies the text rule, the length limit, pattern, forbid and
// enum to one string value and returns what is wrong with it, or "".
func (r rule) checkString(s string) string {
	if msg := checkText(s, r.multiline); msg != "" {
		return msg
	}
	if n := utf8.RuneCountInString(s); n > r.max {
		return fmt.Sprintf("is %d characters long; shorten it to at most %d", n, r.max)
	}
	if r.enum != nil && !slices.Contains(r.enum, s) {
		msg := fmt.Sprintf("%q is not %s", s, r.hint)
		if len(r.enum) == 0 {
			return msg + " (none is available)"
		}
		if near := Nearest(s, r.enum); near != "" {
			return msg + fmt.Sprintf(" (did you mean %q?)", near)
		}
		return msg + "; use one of " + strings.Join(r.enum, ", ")
	}
	if r.pattern != nil && !r.pattern.MatchString(s) || r.forbid != nil && r.forbid.MatchString(s) {
		return fmt.Sprintf("%q is not valid; use %s", s, r.hint)
	}
	return ""
}

// checkInt reads an integer value and checks its range; it returns what is
// wrong with it, or "".
func (r rule) checkInt(s string) (int, string) {
	n, err := strconv.Atoi(s)
	if err != nil || n < r.minimum || n > r.maximum {
		return 0, fmt.Sprintf("%s is not %s", s, r.hint)
	}
	return n, ""
}

// Nearest returns the candidate closest to s by edit distance, if it is
// close enough to be a likely typo.
func Nearest(s string, candidates []string) string {
	best, bestDist := "", len(s)/3+2
	for _, c := range candidates {
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance. Written here because it is ten
// lines and a dependency for it would be larger than the code.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
