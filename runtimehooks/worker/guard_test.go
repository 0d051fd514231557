package worker

import (
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	const (
		self   = 500
		parent = 400
		me     = "00000000000000aa"
		other  = "00000000000000bb"
	)
	marker := func(pid, depth int, id string) string {
		return parentMarker{pid: pid, depth: depth, exeID: id}.String()
	}
	tests := []struct {
		name    string
		in      guardInput
		want    verdict
		depth   int
		message string // substring of the message; "" means no message
	}{
		{name: "fresh start", in: guardInput{}, want: runMain},
		{name: "fresh start ignores a forged worker", in: guardInput{worker: "ui"}, want: runMain},
		{name: "malformed marker is a fresh start", in: guardInput{parent: "v1:x:0:" + me}, want: runMain},
		{name: "foreign protocol version is a fresh start", in: guardInput{parent: "v2:400:3:" + me}, want: runMain},
		{name: "in-place exec keeps its generation", in: guardInput{parent: marker(self, 3, me)}, want: runMain, depth: 3},
		{name: "worker from the real parent", in: guardInput{parent: marker(parent, 0, me), worker: "ui"}, want: runWorker, depth: 1},
		{name: "forged worker, wrong parent pid", in: guardInput{parent: marker(999, 0, me), worker: "ui"}, want: runMain, depth: 1},
		{name: "forged worker, other executable", in: guardInput{parent: marker(parent, 0, other), worker: "ui"}, want: runMain, depth: 1},
		{name: "relaunch starts a new root", in: guardInput{parent: marker(parent, 5, me), relaunch: true}, want: runMain},
		{name: "relaunch through another program counts", in: guardInput{parent: marker(999, 5, me), relaunch: true}, want: runMain, depth: 6},
		{name: "direct self child refused", in: guardInput{parent: marker(parent, 0, me)}, want: refuse, depth: 1, message: "refused to run main() again in a child started by its own executable (parent pid 400)"},
		{name: "direct self child warned", in: guardInput{mode: modeWarn, parent: marker(parent, 0, me)}, want: runMain, depth: 1, message: "warning: main() runs again"},
		{name: "direct self child allowed when off", in: guardInput{mode: modeOff, parent: marker(parent, 0, me)}, want: runMain, depth: 1},
		{name: "other executable allowed", in: guardInput{parent: marker(parent, 0, other)}, want: runMain, depth: 1},
		{name: "app, shell, app allowed", in: guardInput{parent: marker(999, 7, me)}, want: runMain, depth: 8},
		{name: "generation 9 refused", in: guardInput{parent: marker(999, 8, me)}, want: refuse, depth: 9, message: "refused to start generation 9"},
		{name: "generation 9 refused even in warn", in: guardInput{mode: modeWarn, parent: marker(999, 8, other)}, want: refuse, depth: 9, message: "limit 8"},
		{name: "generation 9 of a worker refused", in: guardInput{parent: marker(parent, 8, me), worker: "ui"}, want: refuse, depth: 9, message: "generation 9"},
		{name: "generation 9 allowed when off", in: guardInput{mode: modeOff, parent: marker(parent, 8, me)}, want: runMain, depth: 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.pid, in.ppid, in.exeID = self, parent, me
			if in.mode == "" {
				in.mode = modeRefuse
			}
			got := decide(in)
			if got.verdict != tt.want || got.depth != tt.depth {
				t.Errorf("decide() = verdict %d depth %d, want verdict %d depth %d", got.verdict, got.depth, tt.want, tt.depth)
			}
			switch {
			case tt.message == "" && got.message != "":
				t.Errorf("unexpected message %q", got.message)
			case !strings.Contains(got.message, tt.message):
				t.Errorf("message %q does not contain %q", got.message, tt.message)
			}
			if strings.Contains(got.message, "\n") {
				t.Errorf("message must be one line: %q", got.message)
			}
		})
	}
}

func TestResolveMode(t *testing.T) {
	tests := []struct{ build, override, want string }{
		{"", "", modeRefuse},
		{"warn", "", modeWarn},
		{"off", "", modeOff},
		{"warn", "refuse", modeRefuse},
		{"", " OFF ", modeOff},
		{"warn", "bogus", modeWarn},
		{"bogus", "", modeRefuse},
	}
	for _, tt := range tests {
		if got := resolveMode(tt.build, tt.override); got != tt.want {
			t.Errorf("resolveMode(%q, %q) = %q, want %q", tt.build, tt.override, got, tt.want)
		}
	}
}

func TestParentMarker(t *testing.T) {
	m := parentMarker{pid: 1234, depth: 2, exeID: "0123456789abcdef"}
	if got := m.String(); got != "v1:1234:2:0123456789abcdef" {
		t.Fatalf("String() = %q", got)
	}
	if back, ok := parseParentMarker(m.String()); !ok || back != m {
		t.Fatalf("round trip: %+v, %v", back, ok)
	}
	for _, bad := range []string{"", "v1", "v1:1:2", "v1:0:0:ab", "v1:-1:0:ab", "v1:1:-1:ab", "v1:1:0:", "v1:1:0:ab:extra", "v2:1:0:ab"} {
		if _, ok := parseParentMarker(bad); ok {
			t.Errorf("parseParentMarker(%q) accepted", bad)
		}
	}
}

func TestExeID(t *testing.T) {
	a, b := exeID("/opt/app/bin/app"), exeID("/opt/app/bin/other")
	if len(a) != 16 || a == b || a != exeID("/opt/app/bin/app") {
		t.Errorf("exeID: %q %q", a, b)
	}
	if _, id := executableIdentity(); id != self.exeID {
		t.Errorf("executableIdentity() id %q, guard recorded %q", id, self.exeID)
	}
}

func TestParseGrace(t *testing.T) {
	if got := parseGrace(""); got != defaultGrace {
		t.Errorf(`parseGrace("") = %v`, got)
	}
	if got := parseGrace("1500ms"); got.Milliseconds() != 1500 {
		t.Errorf(`parseGrace("1500ms") = %v`, got)
	}
	if got := parseGrace("-1s"); got != defaultGrace {
		t.Errorf(`parseGrace("-1s") = %v`, got)
	}
	if got := parseGraceMS("250", defaultGrace); got.Milliseconds() != 250 {
		t.Errorf(`parseGraceMS("250") = %v`, got)
	}
	if got := parseGraceMS("x", defaultGrace); got != defaultGrace {
		t.Errorf(`parseGraceMS("x") = %v`, got)
	}
}
