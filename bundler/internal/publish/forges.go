package publish

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/forge"
	"github.com/bundlekit/bundle/bundler/internal/forge/gitea"
	"github.com/bundlekit/bundle/bundler/internal/forge/github"
)

// Kind is a forge bundle publishes to: how it is opened, the variable
// its token is read from, and its API address when none is given.
type Kind struct {
	Open       func(api, repo, token string, o forge.Options) (forge.Forge, error)
	TokenEnv   string
	APIEnv     string // the variable CI sets to the API address, or ""
	DefaultAPI string // "" when the address must be given
	APIExample string
}

// kinds are the forges, by the name --forge takes. Adding one is a
// package under forge/ and a line here.
var kinds = map[string]Kind{
	"github": {Open: func(api, repo, token string, o forge.Options) (forge.Forge, error) {
		return github.New(api, repo, token, o)
	},
		TokenEnv: "GITHUB_TOKEN", APIEnv: "GITHUB_API_URL", DefaultAPI: github.DefaultAPI, APIExample: "https://ghe.example.com/api/v3"},
	"gitea": {Open: func(api, repo, token string, o forge.Options) (forge.Forge, error) {
		return gitea.New(api, repo, token, o)
	},
		TokenEnv: "GITEA_TOKEN", APIExample: "https://codeberg.org/api/v1"},
}

// KindNames lists the forges for messages: "gitea, github".
func KindNames() string {
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// TokenVars are the variables that hold forges' tokens, which no program
// bundle starts may see.
func TokenVars() []string {
	var vars []string
	for _, k := range kinds {
		vars = append(vars, k.TokenEnv)
	}
	sort.Strings(vars)
	return vars
}

// LookupKind returns the forge named name.
func LookupKind(name string) (Kind, error) {
	k, ok := kinds[name]
	if !ok {
		return Kind{}, fmt.Errorf("unknown forge %q; use one of %s", name, KindNames())
	}
	return k, nil
}
