package scaffold

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/google/licensecheck"
)

// License is what the repository's license file says.
type License struct {
	File      string // its name in the project root, such as LICENSE
	SPDX      string // SPDX expression, "" when the text is not recognised
	Copyright string // "© 2013-2024 Jane Doe", "" when the file names no holder
}

// VersionsOpen reports whether the SPDX id names a GNU license without
// saying "-only" or "-or-later": the license text alone cannot tell, the
// source files' notices do.
func (l License) VersionsOpen() bool {
	for _, id := range strings.Split(l.SPDX, " AND ") {
		if strings.Contains(id, "GPL-") && !strings.HasSuffix(id, "-only") && !strings.HasSuffix(id, "-or-later") {
			return true
		}
	}
	return false
}

// licenseNames are the file names a license is kept in, in order of
// preference; the match ignores case and an extension.
var licenseNames = []string{"LICENSE", "LICENCE", "COPYING", "UNLICENSE"}

// findLicense looks for the license file in dir.
func findLicense(dir string) (License, bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return License{}, false
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && licenseRank(e.Name()) >= 0 {
			files = append(files, e.Name())
		}
	}
	if len(files) == 0 {
		return License{}, false
	}
	sort.Slice(files, func(i, j int) bool {
		ri, rj := licenseRank(files[i]), licenseRank(files[j])
		if ri != rj {
			return ri < rj
		}
		return len(files[i]) < len(files[j]) // LICENSE before LICENSE.md
	})
	data, err := os.ReadFile(filepath.Join(dir, files[0]))
	if err != nil {
		return License{}, false
	}
	return License{File: files[0], SPDX: classify(data), Copyright: copyrightIn(string(data))}, true
}

// licenseRank is the place of name in licenseNames, -1 if it is none.
func licenseRank(name string) int {
	base := strings.ToUpper(name)
	if ext := filepath.Ext(base); ext == ".MD" || ext == ".TXT" || ext == ".RST" || ext == "" {
		base = strings.TrimSuffix(base, ext)
	} else {
		return -1
	}
	for i, n := range licenseNames {
		if base == n {
			return i
		}
	}
	return -1
}

// minCoverage is how much of a license file must be known license text
// for its id to be used: a file with a long preface of its own is left for
// the user to name.
const minCoverage = 70

// classify names the license of a license file's text as an SPDX
// expression: one id, or several joined by AND when the file holds more
// than one license (as vendored notices do). It uses licensecheck, which
// matches the whole text against the SPDX list, rather than guessing from
// a few phrases.
func classify(text []byte) string {
	cov := licensecheck.Scan(text)
	if cov.Percent < minCoverage {
		return ""
	}
	var ids []string
	for _, m := range cov.Match {
		if !m.IsURL && !contains(ids, m.ID) {
			ids = append(ids, m.ID)
		}
	}
	return strings.Join(ids, " AND ")
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

var (
	copyrightLine = regexp.MustCompile(`(?im)^[\s/#*-]*copyright\b[ \t:]*(.+)$`)
	copyrightMark = regexp.MustCompile(`(?i)^(\(c\)|©|copyright)[ \t:]*`)
	hasYear       = regexp.MustCompile(`\b(19|20)[0-9]{2}\b`)
	rightsNote    = regexp.MustCompile(`(?i)[ ,.;]*all rights reserved\.?\s*$`)
	placeholder   = regexp.MustCompile(`(?i)[\[<{]\s*(yyyy|year|name|owner|author|copyright|fullname)`)
)

// copyrightIn is the first copyright notice of text written as "© <years>
// <holder>", the form Debian's copyright file and bundle.yaml use. Lines of
// a license's own template ("Copyright [yyyy] [name of copyright owner]",
// "Copyright (C) <year> <name of author>") and the license's copyright on
// its own text (the FSF's in the GPL) are no holder of the app.
func copyrightIn(text string) string {
	for _, m := range copyrightLine.FindAllStringSubmatch(text, -1) {
		rest := strings.TrimSpace(m[1])
		for {
			trimmed := copyrightMark.ReplaceAllString(rest, "")
			if trimmed == rest {
				break
			}
			rest = trimmed
		}
		rest = strings.Join(strings.Fields(rightsNote.ReplaceAllString(rest, "")), " ")
		switch {
		case !hasYear.MatchString(rest),
			placeholder.MatchString(rest),
			strings.Contains(rest, "Free Software Foundation"),
			strings.HasPrefix(strings.ToLower(rest), "notice"):
			continue
		}
		return "© " + rest
	}
	return ""
}
