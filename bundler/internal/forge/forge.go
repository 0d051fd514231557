// Package forge is what bundle publish knows of a code forge's releases:
// one small interface that GitHub and Gitea (Forgejo, Codeberg) each
// implement in a package of their own, and the HTTP client they share,
// which retries what may be retried and never lets the token out.
package forge

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Release is a release on a forge.
type Release struct {
	ID    int64
	Tag   string
	Name  string
	Draft bool
	URL   string // the release's web page
	// Upload is where assets are uploaded (GitHub names a host of its own
	// for them); empty where the forge has one fixed address.
	Upload string
}

// Asset is a file attached to a release.
type Asset struct {
	ID   int64
	Name string
	Size int64
	// SHA256 is the hex digest the forge reports, or "" where it reports
	// none (Gitea, GitHub before mid-2025); the caller then downloads and
	// hashes the file.
	SHA256 string
	// Partial marks an upload that did not finish (GitHub's "starter"
	// state): it holds the name until it is deleted.
	Partial bool
	// Content is where the forge serves the file, where its API names an
	// address of its own for that (Gitea).
	Content string
}

// NewRelease is what a draft is created with.
type NewRelease struct {
	Tag        string
	Target     string // the commit the tag is created at when the forge has no such tag yet; "" for the forge's default
	Name       string
	Body       string
	Prerelease bool
}

// Forge is one repository on a forge, reached with a token.
type Forge interface {
	// Kind names the forge's API: "github" or "gitea".
	Kind() string
	// Repository checks that the repository exists and the token can see
	// it; an unknown one is a *StatusError with Status 404.
	Repository(ctx context.Context) error
	// Releases returns every release, draft or published, of tag.
	Releases(ctx context.Context, tag string) ([]Release, error)
	// CreateDraft creates a draft release.
	CreateDraft(ctx context.Context, r NewRelease) (Release, error)
	// Assets lists a release's assets.
	Assets(ctx context.Context, r Release) ([]Asset, error)
	// Upload attaches a file of size bytes, read from open (called again
	// for each attempt), to the release under name.
	Upload(ctx context.Context, r Release, name string, size int64, open func() (io.ReadCloser, error)) (Asset, error)
	// Delete removes an asset; one that is gone already is no error.
	Delete(ctx context.Context, r Release, a Asset) error
	// Download writes an asset's content to w.
	Download(ctx context.Context, r Release, a Asset, w io.Writer) error
	// Publish turns a draft into a published release.
	Publish(ctx context.Context, r Release) (Release, error)
	// File reads a file of the default branch: its content and the
	// forge's name for that version of it, or found false.
	File(ctx context.Context, path string) (content []byte, version string, found bool, err error)
	// PutFile writes a file on the default branch as one new commit:
	// created when version is "", else replacing that version. A file
	// changed since is refused (409 or 422), never overwritten.
	PutFile(ctx context.Context, path string, content []byte, version, message string) error
}

// DraftRequest is the request that creates a draft release at url (a
// repository's /releases): GitHub and Gitea take the same fields.
func DraftRequest(url string, n NewRelease) (Request, error) {
	body := map[string]any{"tag_name": n.Tag, "name": n.Name, "body": n.Body, "draft": true, "prerelease": n.Prerelease}
	if n.Target != "" {
		body["target_commitish"] = n.Target
	}
	return JSON("POST", url, body)
}

// PublishRequest is the request that publishes the draft release at url
// (a repository's /releases/{id}).
func PublishRequest(url string) (Request, error) {
	return JSON("PATCH", url, map[string]any{"draft": false})
}

// FileURL is the API address of a file of a repository's contents, each
// part of path escaped.
func FileURL(repo, path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return repo + "/contents/" + strings.Join(parts, "/")
}

// fileAnswer is the contents API's answer for a file, which GitHub and
// Gitea share.
type fileAnswer struct {
	Type     string `json:"type"`
	SHA      string `json:"sha"`
	Content  string `json:"content"`
	Encoding string `json:"encoding"`
}

// ReadFile gets a file through the contents API at u, as both forges
// answer it.
func ReadFile(ctx context.Context, c *Client, u string) ([]byte, string, bool, error) {
	var a fileAnswer
	err := c.Do(ctx, Request{Method: "GET", URL: u, Repeatable: true}, &a)
	if Status(err) == 404 {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	if a.Type != "file" || a.Encoding != "base64" {
		return nil, "", false, fmt.Errorf("GET %s: not a file (%s, %s)", u, a.Type, a.Encoding)
	}
	data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(a.Content, "\n", ""))
	if err != nil {
		return nil, "", false, fmt.Errorf("GET %s: %w", u, err)
	}
	return data, a.SHA, true, nil
}
