// Package forgetest is a stand-in for GitHub's REST API on 127.0.0.1 for
// tests, following its documentation (version 2022-11-28) in what bundle
// publish uses: the repository, releases (drafts are listed only by the
// list, not by the tag lookup), assets with their state and digest, the
// upload host with 422 already_exists for a name in use, downloads through
// a redirect, and immutable releases (no upload or delete once published).
// It pages lists by PerPage and injects the faults a test asks for.
package forgetest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is what the server does instead of answering the Nth request of
// a kind ("create", "upload", "publish", "assets", "releases", "delete",
// "download"), counted from 1.
type Fault struct {
	Kind string
	Nth  int
	Do   FaultKind
}

// FaultKind says what a Fault does.
type FaultKind int

const (
	// Status500 answers 500 Internal Server Error and does nothing.
	Status500 FaultKind = iota + 1
	// RateLimit answers 429 with Retry-After: 1 and does nothing.
	RateLimit
	// Drop reads half of an upload, keeps it as a "starter" asset, as
	// GitHub does when an upload breaks off, and closes the connection.
	Drop
	// LoseAnswer does the work, then closes the connection unanswered.
	LoseAnswer
	// Stall waits 2 s, then answers as usual: a slow upload to
	// interrupt.
	Stall
	// Exists stores an upload, as a try whose answer was lost would
	// have, and answers 422 already_exists, as GitHub answers the next
	// try.
	Exists
)

// Release is a release as the server holds it.
type Release struct {
	ID        int64
	Tag       string
	Name      string
	Body      string
	Target    string
	Draft     bool
	Published int // how many times it went from draft to published
	Assets    []*Asset
}

// Asset is a release asset as the server holds it.
type Asset struct {
	ID    int64
	Name  string
	State string // "uploaded", or "starter" for a broken-off upload
	Data  []byte
}

// File is a file of a repository's default branch, as the contents API
// serves it.
type File struct {
	Content []byte
	SHA     string
}

// Request is one request the server received.
type Request struct {
	Kind, Method, Path string
	At                 time.Time
	Auth               string // the Authorization header
}

// GitHub is the stand-in. Owner/Name is its one repository; Token the
// one it accepts.
type GitHub struct {
	*httptest.Server
	// Storage serves downloads on a host of its own, as GitHub's does,
	// and logs their requests with the rest ("storage").
	Storage            *httptest.Server
	Owner, Name, Token string
	PerPage            int           // the most items a list page holds; default 100
	Delay              time.Duration // how long each request takes before it is handled, as over a network
	RetryAfter         string        // the Retry-After of a RateLimit fault; default "1"

	mu       sync.Mutex
	files    map[string]map[string]*File // owner/name, then path: the repositories' default branches
	commits  map[string]int              // owner/name: commits made through the contents API
	faults   []Fault
	counts   map[string]int
	releases []*Release
	nextID   int64
	log      []Request
}

// NewGitHub starts the stand-in for t.
func NewGitHub(t testing.TB) *GitHub {
	g := &GitHub{Owner: "octo-org", Name: "hello", Token: "ghs_test" + strconv.FormatInt(time.Now().UnixNano(), 36),
		PerPage: 100, counts: map[string]int{}, nextID: 100,
		files: map[string]map[string]*File{}, commits: map[string]int{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	// 127.0.0.2 is another host to net/http, which drops the
	// Authorization header on a redirect there.
	g.Storage = &httptest.Server{Listener: listen(t, "127.0.0.2:0"), Config: &http.Server{Handler: http.HandlerFunc(g.serve)}}
	g.Storage.Start()
	t.Cleanup(g.Storage.Close)
	return g
}

// API is the address GITHUB_API_URL gives.
func (g *GitHub) API() string { return g.URL }

// Repo is owner/name.
func (g *GitHub) Repo() string { return g.Owner + "/" + g.Name }

// Inject adds faults.
func (g *GitHub) Inject(f ...Fault) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.faults = append(g.faults, f...)
}

// Releases returns a copy of the releases the server holds.
func (g *GitHub) Releases() []Release {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]Release, len(g.releases))
	for i, r := range g.releases {
		out[i] = *r
		out[i].Assets = nil
		for _, a := range r.Assets {
			c := *a
			out[i].Assets = append(out[i].Assets, &c)
		}
	}
	return out
}

// AddRepo adds a repository (owner/name) whose files the contents API
// serves, such as a Homebrew tap.
func (g *GitHub) AddRepo(repo string, files map[string][]byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.files[repo] = map[string]*File{}
	for p, data := range files {
		g.files[repo][p] = &File{Content: data, SHA: blobSHA(data)}
	}
}

// Files returns a repository's files and the commits the contents API
// made in it.
func (g *GitHub) Files(repo string) (map[string][]byte, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string][]byte{}
	for p, f := range g.files[repo] {
		out[p] = f.Content
	}
	return out, g.commits[repo]
}

// blobSHA is git's id of a blob with data, as GitHub names a file's
// version.
func blobSHA(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// Log returns the requests received so far.
func (g *GitHub) Log() []Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Request(nil), g.log...)
}

// AddRelease puts a release on the server, as an earlier run left it.
func (g *GitHub) AddRelease(r Release) *Release {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	r.ID = g.nextID
	for _, a := range r.Assets {
		g.nextID++
		a.ID = g.nextID
	}
	g.releases = append(g.releases, &r)
	return &r
}

func (g *GitHub) serve(w http.ResponseWriter, req *http.Request) {
	g.mu.Lock()
	delay := g.Delay
	g.mu.Unlock()
	time.Sleep(delay)
	g.mu.Lock()
	defer g.mu.Unlock()
	kind, handle := g.route(req)
	g.log = append(g.log, Request{Kind: kind, Method: req.Method, Path: req.URL.Path, At: time.Now(), Auth: req.Header.Get("Authorization")})
	if handle == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	if kind != "storage" && req.Header.Get("Authorization") != "Bearer "+g.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	g.counts[kind]++
	for _, f := range g.faults {
		if f.Kind != kind || f.Nth != g.counts[kind] {
			continue
		}
		switch f.Do {
		case Status500:
			io.Copy(io.Discard, req.Body)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Server Error"})
			return
		case RateLimit:
			io.Copy(io.Discard, req.Body)
			after := g.RetryAfter
			if after == "" {
				after = "1"
			}
			w.Header().Set("Retry-After", after)
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "You have exceeded a secondary rate limit."})
			return
		case Drop:
			g.dropUpload(w, req)
			return
		case LoseAnswer:
			handle(httptest.NewRecorder(), req)
			hangUp(w)
			return
		case Stall:
			g.mu.Unlock()
			time.Sleep(2 * time.Second)
			g.mu.Lock()
		case Exists:
			g.upload(httptest.NewRecorder(), req)
			writeJSON(w, 422, map[string]any{"message": "Validation Failed",
				"errors": []map[string]string{{"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}}})
			return
		}
	}
	handle(w, req)
}

// route names a request's kind and returns its handler, or nil.
func (g *GitHub) route(req *http.Request) (string, http.HandlerFunc) {
	repo := "/repos/" + g.Owner + "/" + g.Name
	p := req.URL.Path
	switch {
	case strings.HasPrefix(p, "/storage/") && req.Method == http.MethodGet:
		return "storage", g.storage
	case strings.HasPrefix(p, "/repos/") && strings.Contains(p, "/contents/") && req.Method == http.MethodGet:
		return "contents", g.getFile
	case strings.HasPrefix(p, "/repos/") && strings.Contains(p, "/contents/") && req.Method == http.MethodPut:
		return "put", g.putFile
	case p == repo && req.Method == http.MethodGet:
		return "repo", func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, map[string]any{"id": 1, "full_name": g.Repo()})
		}
	case p == repo+"/releases" && req.Method == http.MethodGet:
		return "releases", g.listReleases
	case p == repo+"/releases" && req.Method == http.MethodPost:
		return "create", g.create
	case strings.HasPrefix(p, repo+"/releases/tags/") && req.Method == http.MethodGet:
		return "tag", g.byTag
	case strings.HasPrefix(p, "/uploads"+repo+"/releases/") && req.Method == http.MethodPost:
		return "upload", g.upload
	case strings.HasPrefix(p, repo+"/releases/assets/") && req.Method == http.MethodDelete:
		return "delete", g.deleteAsset
	case strings.HasPrefix(p, repo+"/releases/assets/") && req.Method == http.MethodGet:
		return "download", g.download
	case strings.HasSuffix(p, "/assets") && req.Method == http.MethodGet:
		return "assets", g.listAssets
	case strings.HasPrefix(p, repo+"/releases/") && req.Method == http.MethodPatch:
		return "publish", g.update
	}
	return "", nil
}

// fileOf splits a contents path into its repository and file path.
func (g *GitHub) fileOf(path string) (map[string]*File, string, string) {
	rest := strings.TrimPrefix(path, "/repos/")
	repo, file, _ := strings.Cut(rest, "/contents/")
	return g.files[repo], repo, file
}

func (g *GitHub) getFile(w http.ResponseWriter, req *http.Request) {
	files, _, path := g.fileOf(req.URL.Path)
	f, ok := files[path]
	if !ok {
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, 200, map[string]any{"type": "file", "path": path, "sha": f.SHA, "encoding": "base64",
		"content": base64.StdEncoding.EncodeToString(f.Content)})
}

// putFile creates or updates a file as one commit. Updating needs the
// sha of the version replaced: a missing one is 422, a stale one 409.
func (g *GitHub) putFile(w http.ResponseWriter, req *http.Request) {
	files, repo, path := g.fileOf(req.URL.Path)
	if files == nil {
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
		return
	}
	var in struct {
		Message string `json:"message"`
		Content string `json:"content"`
		SHA     string `json:"sha"`
	}
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil || in.Message == "" {
		writeJSON(w, 422, map[string]string{"message": "Invalid request"})
		return
	}
	data, err := base64.StdEncoding.DecodeString(in.Content)
	if err != nil {
		writeJSON(w, 422, map[string]string{"message": "content is not valid Base64"})
		return
	}
	old, exists := files[path]
	switch {
	case exists && in.SHA == "":
		writeJSON(w, 422, map[string]string{"message": `Invalid request. "sha" wasn't supplied.`})
		return
	case exists && in.SHA != old.SHA, !exists && in.SHA != "":
		writeJSON(w, 409, map[string]string{"message": path + " does not match " + in.SHA})
		return
	}
	files[path] = &File{Content: data, SHA: blobSHA(data)}
	g.commits[repo]++
	status := 201
	if exists {
		status = 200
	}
	writeJSON(w, status, map[string]any{"content": map[string]any{"path": path, "sha": files[path].SHA}})
}

func (g *GitHub) releaseJSON(r *Release) map[string]any {
	return map[string]any{
		"id": r.ID, "tag_name": r.Tag, "name": r.Name, "body": r.Body, "draft": r.Draft,
		"target_commitish": r.Target,
		"html_url":         fmt.Sprintf("%s/%s/releases/tag/%s", g.URL, g.Repo(), r.Tag),
		"upload_url":       fmt.Sprintf("%s/uploads/repos/%s/releases/%d/assets{?name,label}", g.URL, g.Repo(), r.ID),
		"immutable":        !r.Draft,
	}
}

func assetJSON(a *Asset) map[string]any {
	sum := sha256.Sum256(a.Data)
	return map[string]any{"id": a.ID, "name": a.Name, "state": a.State, "size": len(a.Data),
		"digest": "sha256:" + hex.EncodeToString(sum[:]), "content_type": "application/octet-stream"}
}

// page answers one page of items, with GitHub's Link header.
func (g *GitHub) page(w http.ResponseWriter, req *http.Request, items []map[string]any) {
	per, _ := strconv.Atoi(req.URL.Query().Get("per_page"))
	if per <= 0 || per > 100 {
		per = 30
	}
	per = min(per, g.PerPage)
	page, _ := strconv.Atoi(req.URL.Query().Get("page"))
	page = max(page, 1)
	start := min((page-1)*per, len(items))
	end := min(start+per, len(items))
	if end < len(items) {
		q := req.URL.Query()
		q.Set("page", strconv.Itoa(page+1))
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, g.URL, req.URL.Path, q.Encode()))
	}
	writeJSON(w, 200, append([]map[string]any{}, items[start:end]...))
}

func (g *GitHub) listReleases(w http.ResponseWriter, req *http.Request) {
	var items []map[string]any
	for i := len(g.releases) - 1; i >= 0; i-- { // newest first
		items = append(items, g.releaseJSON(g.releases[i]))
	}
	g.page(w, req, items)
}

func (g *GitHub) byTag(w http.ResponseWriter, req *http.Request) {
	tag := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	for _, r := range g.releases {
		if r.Tag == tag && !r.Draft {
			writeJSON(w, 200, g.releaseJSON(r))
			return
		}
	}
	writeJSON(w, 404, map[string]string{"message": "Not Found"})
}

func (g *GitHub) create(w http.ResponseWriter, req *http.Request) {
	var in struct {
		Tag    string `json:"tag_name"`
		Target string `json:"target_commitish"`
		Name   string `json:"name"`
		Body   string `json:"body"`
		Draft  bool   `json:"draft"`
	}
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil || in.Tag == "" {
		writeJSON(w, 422, map[string]string{"message": "Validation Failed"})
		return
	}
	for _, r := range g.releases {
		if r.Tag == in.Tag && !r.Draft {
			writeJSON(w, 422, map[string]any{"message": "Validation Failed",
				"errors": []map[string]string{{"resource": "Release", "code": "already_exists", "field": "tag_name"}}})
			return
		}
	}
	g.nextID++
	r := &Release{ID: g.nextID, Tag: in.Tag, Name: in.Name, Body: in.Body, Target: in.Target, Draft: in.Draft}
	if !in.Draft {
		r.Published = 1
	}
	g.releases = append(g.releases, r)
	writeJSON(w, 201, g.releaseJSON(r))
}

// release finds the release whose id is the path element after
// "releases/".
func (g *GitHub) release(path string) *Release {
	rest := path[strings.Index(path, "/releases/")+len("/releases/"):]
	id, _ := strconv.ParseInt(strings.SplitN(rest, "/", 2)[0], 10, 64)
	for _, r := range g.releases {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (g *GitHub) asset(path string) (*Release, int, *Asset) {
	id, _ := strconv.ParseInt(path[strings.LastIndex(path, "/")+1:], 10, 64)
	for _, r := range g.releases {
		for i, a := range r.Assets {
			if a.ID == id {
				return r, i, a
			}
		}
	}
	return nil, 0, nil
}

func (g *GitHub) listAssets(w http.ResponseWriter, req *http.Request) {
	r := g.release(req.URL.Path)
	if r == nil {
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
		return
	}
	items := []map[string]any{}
	for _, a := range r.Assets {
		items = append(items, assetJSON(a))
	}
	g.page(w, req, items)
}

func (g *GitHub) upload(w http.ResponseWriter, req *http.Request) {
	r := g.release(strings.TrimPrefix(req.URL.Path, "/uploads"))
	name := req.URL.Query().Get("name")
	switch {
	case r == nil:
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
		return
	case !r.Draft:
		writeJSON(w, 422, map[string]string{"message": "Cannot upload assets to an immutable release."})
		return
	case name == "" || req.Header.Get("Content-Type") == "" || req.ContentLength < 0:
		writeJSON(w, 422, map[string]string{"message": "name, Content-Type and Content-Length are required"})
		return
	}
	for _, a := range r.Assets {
		if a.Name == name {
			io.Copy(io.Discard, req.Body)
			writeJSON(w, 422, map[string]any{"message": "Validation Failed",
				"errors": []map[string]string{{"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}}})
			return
		}
	}
	data, err := io.ReadAll(req.Body)
	if err != nil || int64(len(data)) != req.ContentLength {
		return
	}
	g.nextID++
	a := &Asset{ID: g.nextID, Name: name, State: "uploaded", Data: data}
	r.Assets = append(r.Assets, a)
	sort.Slice(r.Assets, func(i, j int) bool { return r.Assets[i].ID < r.Assets[j].ID })
	writeJSON(w, 201, assetJSON(a))
}

// dropUpload keeps half an upload as a starter asset and hangs up.
func (g *GitHub) dropUpload(w http.ResponseWriter, req *http.Request) {
	r := g.release(strings.TrimPrefix(req.URL.Path, "/uploads"))
	half := make([]byte, max(req.ContentLength/2, 0))
	n, _ := io.ReadFull(req.Body, half)
	if r != nil {
		g.nextID++
		r.Assets = append(r.Assets, &Asset{ID: g.nextID, Name: req.URL.Query().Get("name"), State: "starter", Data: half[:n]})
	}
	hangUp(w)
}

func (g *GitHub) deleteAsset(w http.ResponseWriter, req *http.Request) {
	r, i, a := g.asset(req.URL.Path)
	switch {
	case a == nil:
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
	case !r.Draft:
		writeJSON(w, 422, map[string]string{"message": "Cannot delete assets of an immutable release."})
	default:
		r.Assets = append(r.Assets[:i], r.Assets[i+1:]...)
		w.WriteHeader(http.StatusNoContent)
	}
}

// download answers as GitHub does with Accept: application/octet-stream:
// a redirect to the storage, which needs no token.
func (g *GitHub) download(w http.ResponseWriter, req *http.Request) {
	_, _, a := g.asset(req.URL.Path)
	if a == nil {
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
		return
	}
	if req.Header.Get("Accept") != "application/octet-stream" {
		writeJSON(w, 200, assetJSON(a))
		return
	}
	http.Redirect(w, req, fmt.Sprintf("%s/storage/%d", g.Storage.URL, a.ID), http.StatusFound)
}

func (g *GitHub) storage(w http.ResponseWriter, req *http.Request) {
	_, _, a := g.asset(req.URL.Path)
	if a == nil {
		http.NotFound(w, req)
		return
	}
	w.Write(a.Data)
}

func (g *GitHub) update(w http.ResponseWriter, req *http.Request) {
	r := g.release(req.URL.Path)
	if r == nil {
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
		return
	}
	var in struct {
		Draft *bool `json:"draft"`
	}
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
		writeJSON(w, 400, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	if in.Draft != nil && !*in.Draft && r.Draft {
		r.Draft = false
		r.Published++
	}
	writeJSON(w, 200, g.releaseJSON(r))
}

func listen(t testing.TB, addr string) net.Listener {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	return l
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
