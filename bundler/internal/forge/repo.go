package forge

import (
	"fmt"
	"regexp"
	"strings"
)

// repoPart is one half of owner/name as GitHub and Gitea allow them.
var repoPart = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// SplitRepo checks "owner/name" and splits it, so that neither half can
// change the path of an API address.
func SplitRepo(repo string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || !repoPart.MatchString(owner) || !repoPart.MatchString(name) ||
		owner == "." || owner == ".." || name == "." || name == ".." {
		return "", "", fmt.Errorf("%q is not a repository: give owner/name, such as octo-org/hello", repo)
	}
	return owner, name, nil
}
