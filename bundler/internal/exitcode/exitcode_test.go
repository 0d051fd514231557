package exitcode

import (
	"errors"
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, OK},
		{"plain error", base, Failure},
		{"config", Config(base), Usage},
		{"tool", Tool(base), MissingTool},
		{"wrapped config", fmt.Errorf("build: %w", Config(base)), Usage},
		{"wrapped tool", fmt.Errorf("deb: %w", Tool(base)), MissingTool},
		{"config of nil", Config(nil), OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.err); got != tt.want {
				t.Errorf("Of(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestMessageUnchanged(t *testing.T) {
	err := Config(errors.New("bundle.yaml:3:1: bad"))
	if err.Error() != "bundle.yaml:3:1: bad" {
		t.Fatalf("message changed: %q", err.Error())
	}
}
