package publish

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/forge"
	"github.com/bundlekit/bundle/bundler/internal/forge/gitea"
	"github.com/bundlekit/bundle/internal/forgetest"
)

// countingTransport counts the requests that change something.
type countingTransport struct{ changes atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet {
		c.changes.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestPublishToGitea publishes to a real Gitea server: an interrupted run
// leaves a draft, the next run completes it, and a third changes nothing.
func TestPublishToGitea(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Gitea")
	}
	srv := forgetest.StartGitea(t)
	repo := srv.CreateRepo(t, "hello")
	d := writeDist(t, 4)
	count := &countingTransport{}
	f, err := gitea.New(srv.API, repo, srv.Token, forge.Options{HTTP: &http.Client{Transport: count}, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Repository(context.Background()); err != nil {
		t.Fatalf("the repository: %v", err)
	}

	// Ctrl-C after the second upload.
	ctx, stop := context.WithCancel(context.Background())
	var say strings.Builder
	o := quick(&say)
	uploads := 0
	o.Say = func(format string, args ...any) {
		if strings.HasPrefix(format, "uploaded") {
			if uploads++; uploads == 2 {
				stop()
			}
		}
	}
	if _, err := Run(ctx, f, d, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	rels, err := f.Releases(context.Background(), "v1.2.3")
	if err != nil || len(rels) != 1 || !rels[0].Draft {
		t.Fatalf("after the interrupted run: %+v, %v; want one draft", rels, err)
	}

	res, err := Run(context.Background(), f, d, quick(&say))
	if err != nil || !res.Published || len(res.Kept) != 2 || len(res.Uploaded) != len(d.Files)-2 {
		t.Fatalf("second run: %+v, %v\n%s", res, err, say.String())
	}
	checkGitea(t, f, d)

	before := count.changes.Load()
	res, err = Run(context.Background(), f, d, quick(&say))
	if err != nil || res.Published || len(res.Uploaded) > 0 {
		t.Fatalf("third run: %+v, %v", res, err)
	}
	if n := count.changes.Load() - before; n > 0 {
		t.Errorf("third run sent %d requests that change the release", n)
	}
	checkGitea(t, f, d)

	// A tap's file through Gitea's contents API: created, then replaced
	// only with the version it replaces.
	tap, err := gitea.New(srv.API, srv.CreateRepo(t, "homebrew-tap"), srv.Token, forge.Options{Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx = context.Background()
	if _, _, found, err := tap.File(ctx, "Casks/hello.rb"); found || err != nil {
		t.Fatalf("a file before it is written: %v, %v", found, err)
	}
	if err := tap.PutFile(ctx, "Casks/hello.rb", []byte("one\n"), "", "hello 1.2.3"); err != nil {
		t.Fatalf("create: %v", err)
	}
	data, version, found, err := tap.File(ctx, "Casks/hello.rb")
	if !found || err != nil || string(data) != "one\n" {
		t.Fatalf("read: %q, %v, %v", data, found, err)
	}
	if err := tap.PutFile(ctx, "Casks/hello.rb", []byte("stale\n"), "0000000000000000000000000000000000000000", "hello x"); err == nil {
		t.Errorf("a write over another version passed")
	}
	if err := tap.PutFile(ctx, "Casks/hello.rb", []byte("two\n"), version, "hello 1.2.4"); err != nil {
		t.Fatalf("update: %v", err)
	}
	if data, _, _, _ := tap.File(ctx, "Casks/hello.rb"); string(data) != "two\n" {
		t.Errorf("after the update: %q", data)
	}
}

// checkGitea fails t unless the tag's one release is published with
// exactly dist's files, each downloaded and hashed.
func checkGitea(t *testing.T, f forge.Forge, d *Dist) {
	t.Helper()
	rels, err := f.Releases(context.Background(), "v1.2.3")
	if err != nil || len(rels) != 1 || rels[0].Draft {
		t.Fatalf("releases of v1.2.3: %+v, %v; want one, published", rels, err)
	}
	r := &run{f: f, d: d, o: Options{Tag: "v1.2.3"}, sums: map[int64]string{}}
	r.res.Release = rels[0]
	if err := r.check(context.Background(), rels[0]); err != nil {
		t.Errorf("the published release: %v", err)
	}
}
