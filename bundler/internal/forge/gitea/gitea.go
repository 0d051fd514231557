// Package gitea publishes to Gitea and Forgejo (Codeberg) through their
// API, version 1 (…/api/v1).
package gitea

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/forge"
)

// Forge is one Gitea repository.
type Forge struct {
	c    *forge.Client
	repo string // the API address of the repository
}

// New returns the repository owner/name at the API api, such as
// https://codeberg.org/api/v1.
func New(api, repo, token string, o forge.Options) (*Forge, error) {
	base, err := forge.CheckURL(api)
	if err != nil {
		return nil, err
	}
	owner, name, err := forge.SplitRepo(repo)
	if err != nil {
		return nil, err
	}
	header := http.Header{"Accept": {"application/json"}}
	return &Forge{
		c:    forge.NewClient(token, "token", header, o),
		repo: strings.TrimSuffix(base.String(), "/") + "/repos/" + owner + "/" + name,
	}, nil
}

func (*Forge) Kind() string { return "gitea" }

func (f *Forge) Repository(ctx context.Context) error {
	return f.c.Do(ctx, forge.Request{Method: http.MethodGet, URL: f.repo, Repeatable: true}, nil)
}

type release struct {
	ID      int64  `json:"id"`
	TagName string `json:"tag_name"`
	Name    string `json:"name"`
	Draft   bool   `json:"draft"`
	HTMLURL string `json:"html_url"`
}

func (r release) release() forge.Release {
	return forge.Release{ID: r.ID, Tag: r.TagName, Name: r.Name, Draft: r.Draft, URL: r.HTMLURL}
}

// Releases lists every release, drafts included (the token's user may
// write to the repository), and keeps those of tag.
func (f *Forge) Releases(ctx context.Context, tag string) ([]forge.Release, error) {
	all, err := forge.Pages[release](ctx, f.c, f.repo+"/releases?limit=50")
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

type attachment struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	DownloadURL string `json:"browser_download_url"`
}

// asset converts an attachment. Gitea reports no digest: the caller
// downloads the file to check it.
func (a attachment) asset() forge.Asset {
	return forge.Asset{ID: a.ID, Name: a.Name, Size: a.Size, Content: a.DownloadURL}
}

func (f *Forge) Assets(ctx context.Context, r forge.Release) ([]forge.Asset, error) {
	all, err := forge.Pages[attachment](ctx, f.c, fmt.Sprintf("%s/releases/%d/assets?limit=50", f.repo, r.ID))
	if err != nil {
		return nil, err
	}
	out := make([]forge.Asset, len(all))
	for i, a := range all {
		out[i] = a.asset()
	}
	return out, nil
}

// Upload sends the file as the form field "attachment". The form's head
// and tail are made once, so its length is known and the file streams
// from disk on every try.
func (f *Forge) Upload(ctx context.Context, r forge.Release, name string, size int64, open func() (io.ReadCloser, error)) (forge.Asset, error) {
	var head bytes.Buffer
	form := multipart.NewWriter(&head)
	if _, err := form.CreateFormFile("attachment", name); err != nil {
		return forge.Asset{}, err
	}
	split := head.Len()
	if err := form.Close(); err != nil {
		return forge.Asset{}, err
	}
	prefix, suffix := head.Bytes()[:split], head.Bytes()[split:]
	req := forge.Request{
		Method: http.MethodPost,
		URL:    fmt.Sprintf("%s/releases/%d/assets?name=%s", f.repo, r.ID, url.QueryEscape(name)),
		Type:   form.FormDataContentType(),
		Size:   int64(len(prefix)) + size + int64(len(suffix)),
		Body: func() (io.ReadCloser, error) {
			file, err := open()
			if err != nil {
				return nil, err
			}
			return struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(prefix), file, bytes.NewReader(suffix)), file}, nil
		},
	}
	var a attachment
	if err := f.c.Do(ctx, req, &a); err != nil {
		return forge.Asset{}, err
	}
	return a.asset(), nil
}

func (f *Forge) Delete(ctx context.Context, r forge.Release, a forge.Asset) error {
	err := f.c.Do(ctx, forge.Request{Method: http.MethodDelete, URL: fmt.Sprintf("%s/releases/%d/assets/%d", f.repo, r.ID, a.ID), Repeatable: true}, nil)
	if forge.Status(err) == http.StatusNotFound {
		return nil // gone already: a try whose answer was lost deleted it
	}
	return err
}

// Download reads the attachment from the address Gitea gives, which must
// be on the API's own host: the token goes there too.
func (f *Forge) Download(ctx context.Context, _ forge.Release, a forge.Asset, w io.Writer) error {
	api, _ := url.Parse(f.repo)
	u, err := url.Parse(a.Content)
	if err != nil || u.Scheme != api.Scheme || u.Host != api.Host {
		return fmt.Errorf("attachment %s: its address %q is not on the server %s", a.Name, a.Content, api.Host)
	}
	return f.c.Fetch(ctx, forge.Request{Method: http.MethodGet, URL: a.Content, Accept: "*/*", Repeatable: true}, w)
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

// PutFile creates a file with POST and replaces one with PUT, as Gitea's
// contents API asks.
func (f *Forge) PutFile(ctx context.Context, path string, content []byte, version, message string) error {
	body := map[string]any{"message": message, "content": base64.StdEncoding.EncodeToString(content)}
	method := http.MethodPost
	if version != "" {
		body["sha"], method = version, http.MethodPut
	}
	req, err := forge.JSON(method, forge.FileURL(f.repo, path), body)
	if err != nil {
		return err
	}
	return f.c.Do(ctx, req, nil)
}
