package notary

import (
	"fmt"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// DefaultTimeout is how long a build waits for a verdict unless
// notarize.macos.timeout says otherwise.
const DefaultTimeout = 30 * time.Minute

// FromConfig is the API key of notarize.macos in the project folder dir,
// each value falling back to its environment variable (lookup), and how
// long to wait for a verdict. Without a whole key, creds is nil and why
// says what is missing, in a line for the user.
func FromConfig(dir string, n *config.MacOSNotarize, lookup func(string) (string, bool)) (creds *Credentials, timeout time.Duration, why string, err error) {
	if n == nil {
		n = &config.MacOSNotarize{}
	}
	value := func(v, env string) string {
		if v != "" {
			return v
		}
		got, _ := lookup(env)
		return got
	}
	keyEnv := n.KeyEnv
	if keyEnv == "" {
		keyEnv = config.NotaryKeyEnv
	}
	issuer, keyID := value(n.IssuerID, config.NotaryIssuerEnv), value(n.KeyID, config.NotaryKeyIDEnv)
	var key []byte
	field := "notarize.macos.key_env"
	if n.KeyFile != "" {
		field = "notarize.macos.key_file"
		data, err := config.ReadSmallFile(dir, n.KeyFile)
		if err != nil {
			return nil, 0, "", exitcode.Config(fmt.Errorf("%s: %w", field, err))
		}
		key = data
	} else if text, ok := lookup(keyEnv); ok {
		key = []byte(text)
	}
	if issuer == "" || keyID == "" || len(key) == 0 {
		return nil, 0, fmt.Sprintf("no App Store Connect API key (set notarize.macos, or $%s, $%s and $%s)",
			config.NotaryIssuerEnv, config.NotaryKeyIDEnv, keyEnv), nil
	}
	k, err := ParseKey(key)
	if err != nil {
		return nil, 0, "", exitcode.Config(fmt.Errorf("%s: %w", field, err))
	}
	timeout = DefaultTimeout
	if n.Timeout != "" {
		if timeout, err = time.ParseDuration(n.Timeout); err != nil {
			return nil, 0, "", exitcode.Config(fmt.Errorf("notarize.macos.timeout: %w", err))
		}
	}
	return &Credentials{IssuerID: issuer, KeyID: keyID, Key: k}, timeout, "", nil
}
