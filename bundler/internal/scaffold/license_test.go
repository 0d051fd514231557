package scaffold

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bundlekit/bundle/internal/testtool"
)

// TestClassify names license files by their text: small ones committed
// under testdata, the long ones from Debian's common-licenses.
func TestClassify(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"testdata/licenses/MIT", "MIT"},
		{"testdata/licenses/BSD-2-Clause", "BSD-2-Clause"},
		{"testdata/licenses/BSD-3-Clause", "BSD-3-Clause"},
		{"testdata/licenses/ISC", "ISC"},
		{"testdata/licenses/Unlicense", "Unlicense"},
		{"testdata/licenses/unknown", ""},
		{"/usr/share/common-licenses/Apache-2.0", "Apache-2.0"},
		{"/usr/share/common-licenses/GPL-2", "GPL-2.0"},
		{"/usr/share/common-licenses/GPL-3", "GPL-3.0"},
		{"/usr/share/common-licenses/LGPL-2.1", "LGPL-2.1"},
		{"/usr/share/common-licenses/LGPL-3", "LGPL-3.0"},
		{"/usr/share/common-licenses/MPL-2.0", "MPL-2.0"},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if os.IsNotExist(err) && filepath.IsAbs(tc.file) {
				testtool.Missing(t, tc.file+" is missing: apt-get install base-files")
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := classify(data); got != tc.want {
				t.Errorf("classify = %q, want %q", got, tc.want)
			}
		})
	}
	mit, _ := os.ReadFile("testdata/licenses/MIT")
	bsd, _ := os.ReadFile("testdata/licenses/BSD-3-Clause")
	if got := classify(append(append(mit, '\n'), bsd...)); got != "MIT AND BSD-3-Clause" {
		t.Errorf("two licenses in one file: %q", got)
	}
}

func TestCopyrightIn(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"The MIT License (MIT)\n\nCopyright (c) 2013-2024 Junegunn Choi\n", "© 2013-2024 Junegunn Choi"},
		{"MIT License\n\nCopyright (c) 2019 GitHub Inc.\n", "© 2019 GitHub Inc."},
		{"Copyright © 2020, 2021 Jane Doe <jane@example.com>. All rights reserved.\n", "© 2020, 2021 Jane Doe <jane@example.com>"},
		{"Copyright 2009 The Go Authors.\n", "© 2009 The Go Authors."},
		{"// Copyright 2015 Matthew Holt and The Caddy Authors\n", "© 2015 Matthew Holt and The Caddy Authors"},
		{"COPYRIGHT (C) 2001 ACME\n", "© 2001 ACME"},
		// the license's own templates and notices name no holder of the app
		{"   Copyright [yyyy] [name of copyright owner]\n", ""},
		{"    Copyright (C) <year>  <name of author>\n", ""},
		{" Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>\n", ""},
		{"copyright notice and this permission notice appear in all copies\n", ""},
		{"The above copyright notice shall be included.\n", ""},
		{"Copyright: the authors\n", ""},
		{"Apache License\n   Copyright [yyyy] [name]\nCopyright 2021 Real Holder\n", "© 2021 Real Holder"},
	} {
		if got := copyrightIn(tc.text); got != tc.want {
			t.Errorf("copyrightIn(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestFindLicense(t *testing.T) {
	mit, err := os.ReadFile("testdata/licenses/MIT")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{[]string{"LICENSE"}, "LICENSE"},
		{[]string{"LICENSE.md"}, "LICENSE.md"},
		{[]string{"license.txt"}, "license.txt"},
		{[]string{"COPYING", "LICENSE.md"}, "LICENSE.md"},
		{[]string{"LICENSE.md", "LICENSE"}, "LICENSE"},
		{[]string{"Licence"}, "Licence"},
		{[]string{"LICENSE.go", "LICENSES"}, ""},
		{nil, ""},
	} {
		dir := t.TempDir()
		for _, f := range tc.files {
			if err := os.WriteFile(filepath.Join(dir, f), mit, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, ok := findLicense(dir)
		if got.File != tc.want || ok != (tc.want != "") {
			t.Errorf("%v: found %q %v, want %q", tc.files, got.File, ok, tc.want)
		}
		if ok && (got.SPDX != "MIT" || got.Copyright != "© 2013-2024 Junegunn Choi") {
			t.Errorf("%v: %+v", tc.files, got)
		}
	}
}

func TestVersionsOpen(t *testing.T) {
	for spdx, want := range map[string]bool{
		"GPL-3.0": true, "LGPL-2.1": true, "MIT AND GPL-2.0": true,
		"GPL-3.0-only": false, "GPL-2.0-or-later": false, "MIT": false, "": false,
	} {
		if got := (License{SPDX: spdx}).VersionsOpen(); got != want {
			t.Errorf("%q: %v", spdx, got)
		}
	}
}
