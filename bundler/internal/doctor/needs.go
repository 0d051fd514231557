package doctor

import (
	"errors"
	"os"
	"slices"

	"github.com/bundlekit/bundle/bundler/internal/authenticode"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/tool"
)

// Needs is what a config asks of the machine.
type Needs struct {
	Formats []packager.Format // the formats it makes, for any of its targets
	Signing []tool.Tool       // the signing tools it runs
	Secrets []string          // the variables that hold its secrets, which no tool may see
	Source  string            // what was read: the config's path, or why every format is checked
}

// NeedsOf reads the config at path. Without one, every format and every
// signing tool is needed.
func NeedsOf(path string) (Needs, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return Needs{Formats: formats.All(), Signing: []tool.Tool{authenticode.Tool, authenticode.OpenSSL},
			Source: "no " + path + ": checking every format"}, nil
	}
	p, err := config.Load(path, formats.Known())
	if err != nil {
		return Needs{}, err
	}
	n := Needs{Secrets: p.Config.SecretEnv(), Source: path}
	if p.Config.Sign.Windows != nil && p.Config.UsesOS("windows") {
		n.Signing = append(n.Signing, authenticode.Tool, authenticode.OpenSSL)
	}
	for _, f := range formats.All() {
		for _, goos := range platform.OSes() {
			if p.Config.UsesOS(goos) && slices.Contains(p.Config.Formats.ForOS(goos), f.Name()) {
				n.Formats = append(n.Formats, f)
				break
			}
		}
	}
	return n, nil
}
