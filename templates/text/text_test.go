package text

import (
	"slices"
	"testing"
)

func TestLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"  spaces kept  ", "  spaces kept  "},
		{"a\nb", "a b"},
		{"a\r\nb", "a b"},
		{"a\rb\tc", "a b c"},
		{"nul\x00del\x7f", "nul del "},
		{"c1\u0085\u009b", "c1  "},
		{"ls\u2028ps\u2029", "ls ps "},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"nonchar\uFFFE\uFFFF", "nonchar\uFFFD\uFFFD"},
		{"Pre-Depends: evil\nX", "Pre-Depends: evil X"},
		{"ünïcödé ✓", "ünïcödé ✓"},
	}
	for _, tt := range tests {
		if got := Line(tt.in); got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSynopsisAndBody(t *testing.T) {
	tests := []struct {
		in       string
		synopsis string
		body     []string
	}{
		{"One line.", "One line.", nil},
		{"", "", nil},
		{"\n\n  First\nsecond line\nthird\n\nnext para\r\nstill\n", "First", []string{"second line third", "next para still"}},
		{"Sum\n\n\n\nPara", "Sum", []string{"Para"}},
		{"Sum\u2028rest", "Sum", []string{"rest"}},
		{"Sum\nExec=evil\n[Desktop Entry]", "Sum", []string{"Exec=evil [Desktop Entry]"}},
	}
	for _, tt := range tests {
		if got := Synopsis(tt.in); got != tt.synopsis {
			t.Errorf("Synopsis(%q) = %q, want %q", tt.in, got, tt.synopsis)
		}
		if got := Body(tt.in); !slices.Equal(got, tt.body) {
			t.Errorf("Body(%q) = %q, want %q", tt.in, got, tt.body)
		}
	}
}
