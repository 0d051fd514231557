package scaffold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSummary(t *testing.T) {
	names := []string{"fzf", "Fzf"}
	for _, tc := range []struct{ in, want string }{
		{"fzf is a general-purpose command-line fuzzy finder.", "General-purpose command-line fuzzy finder"},
		{"Fzf formats lists quickly.", "Formats lists quickly"},
		{"The fuzzy finder for your shell!", "Fuzzy finder for your shell"},
		{"an interactive filter", "Interactive filter"},
		{"fzf, the fuzzy finder.", ""},                         // still starts with the package name
		{"fzf-like tools are everywhere.", ""},                 // so does this, for lintian
		{"Fuzzy.", ""},                                         // one word
		{"Finds things. Then more.", ""},                       // two sentences
		{"A finder", ""},                                       // one word left
		{"Fast " + strings.Repeat("very ", 20) + "finder", ""}, // longer than 80
		{"`go` is great.", ""},
	} {
		got, ok := summary(tc.in, names, "fzf")
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("summary(%q) = %q %v, want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestFromReadme(t *testing.T) {
	names := []string{"tool", "Tool"}
	for _, tc := range []struct{ name, readme, want string }{
		{"fzf's layout: sponsor block, setext title with images, then the sentence",
			"<div align=\"center\">\n<b>Acme is a modern terminal that does a great many things for very many people, faster.</b>\n</div>\n\n" +
				"<img src=\"x.png\"> [![ci](https://x/badge.svg)](https://x)\n===\n\ntool is a general-purpose finder.\n\n<img src=y>\n\nIt's more.\n",
			"General-purpose finder"},
		{"gh's layout: ATX title, code span name, two sentences",
			"# Tool CLI\n\n`tool` is Acme on the command line. It brings [issues](https://x) to the terminal.\n\n![shot](s.png)\n",
			"Acme on the command line\nIt brings issues to the terminal."},
		{"caddy's layout: HTML heading as decoration, then a centred paragraph",
			"<p align=\"center\">\n<h3 align=\"center\">Every site on HTTPS</h3>\n<p align=\"center\">Tool is an extensible server platform that uses TLS by default.</p>\n\n### Menu\n",
			"Extensible server platform that uses TLS by default"},
		{"the paragraph under the title, without the name",
			"# tool\n\n[![badge](b.svg)](x)\n\nFast search for large trees.\n\n## Install\n\ntool is not here.\n",
			""},
		{"the paragraph right under the title",
			"# tool\n\nFast search for large trees.\n\n## Install\n",
			"Fast search for large trees"},
		{"nothing before the second heading",
			"# tool\n\n## Install\n\ntool is a finder.\n",
			""},
		{"code and lists are skipped",
			"# tool\n\n```\ntool is a code block.\n```\n\n- tool is a list item.\n\n    tool is indented code.\n",
			""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := fromReadme(tc.readme, names, "tool")
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("got %q %v, want %q", got, ok, tc.want)
			}
		})
	}
}

func TestFromDoc(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ src, want string }{
		{"// Tool lists the files of a tree.\npackage main\n", "Lists the files of a tree"},
		{"// Command tool lists the files of a tree.\npackage main\n", "Lists the files of a tree"},
		{"// Package main is the entry point of the Tool application.\npackage main\n", ""},
		{"package main\n", ""},
	} {
		f := filepath.Join(dir, "main.go")
		if err := os.WriteFile(f, []byte(tc.src), 0o644); err != nil {
			t.Fatal(err)
		}
		got, ok := fromDoc([]string{f}, []string{"tool"}, "tool")
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%q: got %q %v, want %q", tc.src, got, ok, tc.want)
		}
	}
}
