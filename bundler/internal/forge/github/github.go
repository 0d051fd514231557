// Package github publishes to GitHub (and GitHub Enterprise Server)
// through its documented REST API, version 2022-11-28.
package github

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/forge"
)

// DefaultAPI is github.com's API; Actions sets GITHUB_API_URL to the
// server's own.
const DefaultAPI = "https://api.github.com"

// Forge is one GitHub repository.
type Forge struct {
	c    *forge.Client
	repo string // the API address of the repository
}

// New returns the repository owner/name at the API api.
func New(api, repo, token string, o forge.Options) (*Forge, error) {
	base, err := forge.CheckURL(api)
	if err != nil {
		return nil, err
	}
	owner, name, err := forge.SplitRepo(repo)
	if err != nil {
		return nil, err
	}
	header := http.Header{
		"Accept":               {"application/vnd.github+json"},
		"X-Github-Api-Version": {"2022-11-28"},
	}
	return &Forge{
		c:    forge.NewClient(token, "Bearer", header, o),
		repo: strings.TrimSuffix(base.String(), "/") + "/repos/" + owner + "/" + name,
	}, nil
}

func (*Forge) Kind() string { return "github" }

func (f *Forge) Repository(ctx context.Context) error {
	return f.c.Do(ctx, forge.Request{Method: http.MethodGet, URL: f.repo, Repeatable: true}, nil)
}

// release is the API's release object, as far as bundle reads it.
type release struct {
	ID        int64  `json:"id"`
	TagName   string `json:"tag_name"`
	Name      string `json:"name"`
	Draft     bool   `json:"draft"`
	HTMLURL   string `json:"html_url"`
	UploadURL string `json:"upload_url"`
}

func (r release) release() forge.Release {
	// upload_url is a URI template: "…/assets{?name,label}".
	upload, _, _ := strings.Cut(r.UploadURL, "{")
	return forge.Release{ID: r.ID, Tag: r.TagName, Name: r.Name, Draft: r.Draft, URL: r.HTMLURL, Upload: upload}
}

// Releases lists every release: the tag lookup
// (/releases/tags/{tag}) does not show drafts, which an interrupted run
// leaves.
func (f *Forge) Releases(ctx context.Context, tag string) ([]forge.Release, error) {
	all, err := forge.Pages[release](ctx, f.c, f.repo+"/releases?per_page=100")
	if err != nil {
		return nil, err
	}
	var out []forge.Release
	for _, r := range all {
		if r.TagName == tag {
			out = append(out, r.release())
		}
	}
	return out, nil
}

func (f *Forge) CreateDraft(ctx context.Context, n forge.NewRelease) (forge.Release, error) {
	req, err := forge.DraftRequest(f.repo+"/releases", n)
	if err != nil {
		return forge.Release{}, err
	}
	var r release
	if err := f.c.Do(ctx, req, &r); err != nil {
		return forge.Release{}, err
	}
	return r.release(), nil
}

// asset is the API's release asset object.
type asset struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	State  string `json:"state"`
	Digest string `json:"digest"` // "sha256:<hex>", on assets uploaded since mid-2025
}

func (a asset) asset() forge.Asset {
	sum, _ := strings.CutPrefix(a.Digest, "sha256:")
	if !strings.HasPrefix(a.Digest, "sha256:") {
		sum = ""
	}
	return forge.Asset{ID: a.ID, Name: a.Name, Size: a.Size, SHA256: sum, Partial: a.State != "uploaded"}
}

func (f *Forge) Assets(ctx context.Context, r forge.Release) ([]forge.Asset, error) {
	all, err := forge.Pages[asset](ctx, f.c, fmt.Sprintf("%s/releases/%d/assets?per_page=100", f.repo, r.ID))
	if err != nil {
		return nil, err
	}
	out := make([]forge.Asset, len(all))
	for i, a := range all {
		out[i] = a.asset()
	}
	return out, nil
}

func (f *Forge) Upload(ctx context.Context, r forge.Release, name string, size int64, open func() (io.ReadCloser, error)) (forge.Asset, error) {
	if _, err := forge.CheckURL(uploadBase(r.Upload)); err != nil {
		return forge.Asset{}, fmt.Errorf("the release's upload_url: %w", err)
	}
	if !f.uploadHost(r.Upload) {
		return forge.Asset{}, fmt.Errorf("the release's upload_url %q is on neither the API's host nor its uploads host; the token goes only there", r.Upload)
	}
	req := forge.Request{Method: http.MethodPost, URL: r.Upload + "?name=" + url.QueryEscape(name),
		Body: open, Size: size, Type: "application/octet-stream"}
	var a asset
	if err := f.c.Do(ctx, req, &a); err != nil {
		return forge.Asset{}, err
	}
	return a.asset(), nil
}

// uploadHost reports whether an upload address is on the API's own host
// (GitHub Enterprise Server) or its uploads host (api.github.com's is
// uploads.github.com).
func (f *Forge) uploadHost(upload string) bool {
	api, errA := url.Parse(f.repo)
	u, errU := url.Parse(upload)
	if errA != nil || errU != nil {
		return false
	}
	return u.Host == api.Host || u.Host == "uploads."+strings.TrimPrefix(api.Host, "api.")
}

// uploadBase is the scheme and host of an upload address, which must pass
// the same check as the API's: the token goes there.
func uploadBase(upload string) string {
	u, err := url.Parse(upload)
	if err != nil {
		return upload
	}
	return u.Scheme + "://" + u.Host
}

func (f *Forge) Delete(ctx context.Context, _ forge.Release, a forge.Asset) error {
	err := f.c.Do(ctx, forge.Request{Method: http.MethodDelete, URL: fmt.Sprintf("%s/releases/assets/%d", f.repo, a.ID), Repeatable: true}, nil)
	if forge.Status(err) == http.StatusNotFound {
		return nil // gone already: a try whose answer was lost deleted it
	}
	return err
}

func (f *Forge) Download(ctx context.Context, _ forge.Release, a forge.Asset, w io.Writer) error {
	return f.c.Fetch(ctx, forge.Request{Method: http.MethodGet, URL: fmt.Sprintf("%s/releases/assets/%d", f.repo, a.ID),
		Accept: "application/octet-stream", Repeatable: true}, w)
}

func (f *Forge) Publish(ctx context.Context, r forge.Release) (forge.Release, error) {
	req, err := forge.PublishRequest(fmt.Sprintf("%s/releases/%d", f.repo, r.ID))
	if err != nil {
		return forge.Release{}, err
	}
	var out release
	if err := f.c.Do(ctx, req, &out); err != nil {
		return forge.Release{}, err
	}
	return out.release(), nil
}

func (f *Forge) File(ctx context.Context, path string) ([]byte, string, bool, error) {
	return forge.ReadFile(ctx, f.c, forge.FileURL(f.repo, path))
}

func (f *Forge) PutFile(ctx context.Context, path string, content []byte, version, message string) error {
	body := map[string]any{"message": message, "content": base64.StdEncoding.EncodeToString(content)}
	if version != "" {
		body["sha"] = version
	}
	req, err := forge.JSON(http.MethodPut, forge.FileURL(f.repo, path), body)
	if err != nil {
		return err
	}
	return f.c.Do(ctx, req, nil)
}
