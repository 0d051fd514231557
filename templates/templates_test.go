package templates

import "testing"

// TestEscapers checks each template function on the values that broke
// generated files: markup, comment closers, desktop-entry syntax and
// field codes.
func TestEscapers(t *testing.T) {
	tests := []struct {
		fn   func(string) string
		name string
		in   string
		want string
	}{
		{xmlText, "xml", `<b>&"x"</b>`, "&lt;b&gt;&amp;&#34;x&#34;&lt;/b&gt;"},
		{xmlText, "xml", "a\x00b", "a\uFFFDb"},
		{xmlComment, "comment", "Foo -- Bar", "Foo - - Bar"},
		{xmlComment, "comment", "a---b-", "a- - -b- "},
		{xmlComment, "comment", "x\n-->", "x - -&gt;"},
		{desktopString, "desktop", "a\nExec=evil", "a Exec=evil"},
		{desktopString, "desktop", `  back\slash `, `\s\sback\\slash\s`},
		{desktopExec, "desktopExec", "hello", "hello"},
		{desktopExec, "desktopExec", "my app", `"my app"`},
		{desktopExec, "desktopExec", `a"$b%f`, `"a\\"\\$b%%f"`},
		{rubyString, "ruby", `it's #{system("x")} \`, `"it's \#{system(\"x\")} \\"`},
		{rubyString, "ruby", "a\nb", `"a b"`},
		{shellWord, "sh", `it's $(rm -rf ~) "x"`, `'it'\''s $(rm -rf ~) "x"'`},
		{shellWord, "sh", "a\n`b`", "'a `b`'"},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}
