package publish

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/forge"
	"github.com/bundlekit/bundle/bundler/internal/forge/github"
	"github.com/bundlekit/bundle/internal/forgetest"
)

// writeDist makes a finished dist of n artifacts, as bundle build leaves
// it.
func writeDist(t *testing.T, n int) *Dist {
	t.Helper()
	var files [][3]string
	for i := range n {
		files = append(files, [3]string{fmt.Sprintf("hello_1.2.3_linux_amd64.%d.tar.gz", i), "tar.gz",
			string(bytes.Repeat([]byte{byte('a' + i)}, 1000+i*517))})
	}
	d, err := LoadDist(distWith(t, files))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newForge(t *testing.T, g *forgetest.GitHub) forge.Forge {
	t.Helper()
	f, err := github.New(g.API(), g.Repo(), g.Token, forge.Options{Backoff: time.Millisecond, Attempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func quick(say *strings.Builder) Options {
	return Options{Tag: "v1.2.3", Notes: "notes", Backoff: time.Millisecond, Say: func(f string, a ...any) {
		fmt.Fprintf(say, f+"\n", a...)
	}}
}

// checkComplete fails t unless the server holds one release of the tag,
// published exactly once, with exactly dist's files, whole.
func checkComplete(t *testing.T, g *forgetest.GitHub, d *Dist) {
	t.Helper()
	rels := g.Releases()
	if len(rels) != 1 {
		t.Fatalf("%d releases on the server, want 1", len(rels))
	}
	r := rels[0]
	if r.Draft || r.Published != 1 || r.Tag != "v1.2.3" {
		t.Errorf("release: draft %v, published %d times, tag %q; want published once as v1.2.3", r.Draft, r.Published, r.Tag)
	}
	if len(r.Assets) != len(d.Files) {
		names := []string{}
		for _, a := range r.Assets {
			names = append(names, a.Name+"("+a.State+")")
		}
		t.Fatalf("assets %v, want the %d files of dist", names, len(d.Files))
	}
	for _, a := range r.Assets {
		want, err := os.ReadFile(filepath.Join(d.Dir, a.Name))
		if err != nil || a.State != "uploaded" || !bytes.Equal(a.Data, want) {
			t.Errorf("asset %s: state %s, %d bytes; not dist's file (%v)", a.Name, a.State, len(a.Data), err)
		}
	}
}

// mutations counts the requests that change the server's state.
func mutations(log []forgetest.Request) int {
	n := 0
	for _, r := range log {
		if r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

func TestPublishFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults []forgetest.Fault
		files  int
		perPg  int
		before func(g *forgetest.GitHub, d *Dist) // the state an earlier run left
	}{
		{name: "clean", files: 4},
		{name: "500 on the 3rd upload", files: 5, faults: []forgetest.Fault{{Kind: "upload", Nth: 3, Do: forgetest.Status500}}},
		{name: "500 on every try of the 2nd upload", files: 4, faults: []forgetest.Fault{
			{Kind: "upload", Nth: 2, Do: forgetest.Status500}, {Kind: "upload", Nth: 3, Do: forgetest.Status500}, {Kind: "upload", Nth: 4, Do: forgetest.Status500}}},
		{name: "connection dropped mid-upload", files: 4, faults: []forgetest.Fault{{Kind: "upload", Nth: 2, Do: forgetest.Drop}}},
		{name: "upload stored, answer lost", files: 4, faults: []forgetest.Fault{{Kind: "upload", Nth: 1, Do: forgetest.LoseAnswer}}},
		{name: "422 already_exists for an upload stored before", files: 4, faults: []forgetest.Fault{{Kind: "upload", Nth: 2, Do: forgetest.Exists}}},
		{name: "draft created, answer lost", files: 2, faults: []forgetest.Fault{{Kind: "create", Nth: 1, Do: forgetest.LoseAnswer}}},
		{name: "published, answer lost", files: 2, faults: []forgetest.Fault{{Kind: "publish", Nth: 1, Do: forgetest.LoseAnswer}}},
		{name: "500 on publish", files: 2, faults: []forgetest.Fault{{Kind: "publish", Nth: 1, Do: forgetest.Status500}}},
		{name: "500 on listing releases", files: 2, faults: []forgetest.Fault{{Kind: "releases", Nth: 1, Do: forgetest.Status500}}},
		{name: "lists in pages of 2", files: 5, perPg: 2},
		{name: "a draft an interrupted run left", files: 4, before: func(g *forgetest.GitHub, d *Dist) {
			first, _ := os.ReadFile(filepath.Join(d.Dir, d.Files[0].Name))
			second, _ := os.ReadFile(filepath.Join(d.Dir, d.Files[1].Name))
			g.AddRelease(forgetest.Release{Tag: "v1.2.3", Draft: true, Assets: []*forgetest.Asset{
				{Name: d.Files[0].Name, State: "uploaded", Data: first},
				{Name: d.Files[1].Name, State: "starter", Data: second[:10]},
			}})
		}},
		{name: "an older published release", files: 2, before: func(g *forgetest.GitHub, _ *Dist) {
			g.AddRelease(forgetest.Release{Tag: "v1.2.2", Published: 1})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := forgetest.NewGitHub(t)
			if tt.perPg > 0 {
				g.PerPage = tt.perPg
			}
			d := writeDist(t, tt.files)
			if tt.before != nil {
				tt.before(g, d)
			}
			g.Inject(tt.faults...)
			var say strings.Builder
			res, err := Run(context.Background(), newForge(t, g), d, quick(&say))
			if err != nil {
				t.Fatalf("publish: %v\n%s", err, say.String())
			}
			if !res.Published {
				t.Errorf("result says not published by this run:\n%s", say.String())
			}
			for _, f := range tt.faults {
				n := 0
				for _, r := range g.Log() {
					if r.Kind == f.Kind {
						n++
					}
				}
				if n <= f.Nth && f.Do != forgetest.LoseAnswer && f.Do != forgetest.Exists {
					t.Errorf("%d %s requests: the fault on the %dth was not passed", n, f.Kind, f.Nth)
				}
			}
			t.Logf("%s", say.String())
			if strings.HasPrefix(tt.name, "an older") {
				rels := g.Releases()
				g2 := rels[1:]
				if len(g2) != 1 || g2[0].Draft || g2[0].Published != 1 || len(g2[0].Assets) != len(d.Files) {
					t.Errorf("v1.2.3 not published once with its files: %+v", g2)
				}
				return
			}
			checkComplete(t, g, d)

			// A second run changes nothing.
			before := len(g.Log())
			var again strings.Builder
			res, err = Run(context.Background(), newForge(t, g), d, quick(&again))
			if err != nil || res.Published || len(res.Uploaded) > 0 {
				t.Fatalf("second run: %v, %+v\n%s", err, res, again.String())
			}
			if n := mutations(g.Log()[before:]); n > 0 {
				t.Errorf("second run sent %d requests that change the release", n)
			}
			checkComplete(t, g, d)
		})
	}
}

func TestPublishRetryAfter(t *testing.T) {
	g := forgetest.NewGitHub(t)
	d := writeDist(t, 3)
	g.Inject(forgetest.Fault{Kind: "upload", Nth: 2, Do: forgetest.RateLimit})
	var say strings.Builder
	if _, err := Run(context.Background(), newForge(t, g), d, quick(&say)); err != nil {
		t.Fatalf("publish: %v\n%s", err, say.String())
	}
	checkComplete(t, g, d)
	var uploads []time.Time
	for _, r := range g.Log() {
		if r.Kind == "upload" {
			uploads = append(uploads, r.At)
		}
	}
	if len(uploads) < 3 || uploads[2].Sub(uploads[1]) < time.Second {
		t.Errorf("the upload after a 429 with Retry-After: 1 came %v after it; want at least 1 s", uploads[2].Sub(uploads[1]))
	}
}

// TestPublishLongRateLimit: a rate limit that asks for an hour ends the
// run at once with a line saying so, the draft kept, instead of sleeping
// through every round.
func TestPublishLongRateLimit(t *testing.T) {
	g := forgetest.NewGitHub(t)
	g.RetryAfter = "3600"
	d := writeDist(t, 2)
	g.Inject(forgetest.Fault{Kind: "upload", Nth: 1, Do: forgetest.RateLimit})
	var say strings.Builder
	began := time.Now()
	_, err := Run(context.Background(), newForge(t, g), d, quick(&say))
	if err == nil || !strings.Contains(err.Error(), "asks to wait 1h0m0s") || time.Since(began) > time.Minute {
		t.Fatalf("publish under an hour's rate limit: %v after %v", err, time.Since(began))
	}
	if rels := g.Releases(); len(rels) != 1 || !rels[0].Draft {
		t.Errorf("releases %+v; want the draft kept", rels)
	}
}

func TestPublishRefusals(t *testing.T) {
	t.Run("a draft's file differs", func(t *testing.T) {
		g := forgetest.NewGitHub(t)
		d := writeDist(t, 3)
		g.AddRelease(forgetest.Release{Tag: "v1.2.3", Draft: true, Assets: []*forgetest.Asset{
			{Name: d.Files[0].Name, State: "uploaded", Data: []byte("another build")},
			{Name: "stray.txt", State: "uploaded", Data: []byte("x")},
		}})
		before := len(g.Log())
		var say strings.Builder
		_, err := Run(context.Background(), newForge(t, g), d, quick(&say))
		if err == nil || !strings.Contains(err.Error(), "differs from dist") || !strings.Contains(err.Error(), "stray.txt is not in dist") || !strings.Contains(err.Error(), "--replace") {
			t.Fatalf("publish over a differing draft: %v", err)
		}
		if n := mutations(g.Log()[before:]); n > 0 {
			t.Errorf("the refused run sent %d requests that change the release", n)
		}
		o := quick(&say)
		o.Replace = true
		if _, err := Run(context.Background(), newForge(t, g), d, o); err != nil {
			t.Fatalf("publish --replace: %v\n%s", err, say.String())
		}
		checkComplete(t, g, d)
	})
	t.Run("two drafts of the tag", func(t *testing.T) {
		g := forgetest.NewGitHub(t)
		d := writeDist(t, 1)
		g.AddRelease(forgetest.Release{Tag: "v1.2.3", Draft: true})
		g.AddRelease(forgetest.Release{Tag: "v1.2.3", Draft: true})
		var say strings.Builder
		if _, err := Run(context.Background(), newForge(t, g), d, quick(&say)); err == nil || !strings.Contains(err.Error(), "2 drafts of v1.2.3") {
			t.Fatalf("publish with two drafts: %v", err)
		}
	})
	t.Run("published without a file", func(t *testing.T) {
		g := forgetest.NewGitHub(t)
		d := writeDist(t, 2)
		g.AddRelease(forgetest.Release{Tag: "v1.2.3", Published: 1})
		var say strings.Builder
		_, err := Run(context.Background(), newForge(t, g), d, quick(&say))
		if err == nil || !strings.Contains(err.Error(), "published already") || !strings.Contains(err.Error(), "is missing") {
			t.Fatalf("publish over an incomplete published release: %v", err)
		}
	})
	t.Run("a server that keeps failing", func(t *testing.T) {
		g := forgetest.NewGitHub(t)
		d := writeDist(t, 1)
		for n := 1; n <= 40; n++ {
			g.Inject(forgetest.Fault{Kind: "upload", Nth: n, Do: forgetest.Status500})
		}
		var say strings.Builder
		o := quick(&say)
		o.Rounds = 2
		_, err := Run(context.Background(), newForge(t, g), d, o)
		if err == nil || !strings.Contains(err.Error(), "500") {
			t.Fatalf("publish against a failing server: %v", err)
		}
		if strings.Contains(err.Error(), g.Token) || strings.Contains(say.String(), g.Token) {
			t.Errorf("the token is in the error or the output")
		}
		for _, r := range g.Releases() {
			if !r.Draft {
				t.Errorf("a release was published though its files were not all uploaded")
			}
		}
	})
	t.Run("unknown repository and bad token", func(t *testing.T) {
		g := forgetest.NewGitHub(t)
		f, _ := github.New(g.API(), "octo-org/nothing", g.Token, forge.Options{Backoff: time.Millisecond})
		if err := f.Repository(context.Background()); forge.Status(err) != 404 {
			t.Errorf("unknown repository: %v", err)
		}
		f, _ = github.New(g.API(), g.Repo(), "wrong", forge.Options{Backoff: time.Millisecond})
		err := f.Repository(context.Background())
		if forge.Status(err) != 401 || strings.Contains(err.Error(), "wrong") {
			t.Errorf("bad token: %v", err)
		}
	})
}

func TestPublishTokenStaysWithTheAPI(t *testing.T) {
	g := forgetest.NewGitHub(t)
	d := writeDist(t, 2)
	// A draft whose files have no digest would be downloaded to be
	// checked; this one's are checked by digest, so download one here.
	var say strings.Builder
	if _, err := Run(context.Background(), newForge(t, g), d, quick(&say)); err != nil {
		t.Fatal(err)
	}
	f := newForge(t, g)
	rel := forge.Release{ID: g.Releases()[0].ID}
	assets, err := f.Assets(context.Background(), rel)
	if err != nil || len(assets) == 0 {
		t.Fatal(assets, err)
	}
	var got bytes.Buffer
	if err := f.Download(context.Background(), rel, assets[0], &got); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(d.Dir, assets[0].Name))
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("download: %d bytes, not the file", got.Len())
	}
	stored := 0
	for _, r := range g.Log() {
		if r.Kind == "storage" {
			stored++
			if r.Auth != "" {
				t.Errorf("the storage host got an Authorization header")
			}
		}
	}
	if stored == 0 {
		t.Errorf("the download did not go through the storage host")
	}
}

func TestLoadDist(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(dir string)
		want  string
	}{
		{"no artifacts.json", func(dir string) { os.Remove(filepath.Join(dir, artifact.ManifestName)) }, "no artifacts.json"},
		{"a changed file", func(dir string) {
			os.WriteFile(filepath.Join(dir, "hello_1.2.3_linux_amd64.0.tar.gz"), []byte("changed"), 0o644)
		}, "the file changed after the build"},
		{"a missing file", func(dir string) { os.Remove(filepath.Join(dir, "hello_1.2.3_linux_amd64.1.tar.gz")) }, "no such file"},
		{"a link", func(dir string) {
			p := filepath.Join(dir, "hello_1.2.3_linux_amd64.1.tar.gz")
			os.Rename(p, p+".real")
			os.Symlink(p+".real", p)
		}, "not a regular file"},
		{"checksums.txt changed", func(dir string) {
			os.WriteFile(filepath.Join(dir, artifact.ChecksumsName), []byte("0  x\n"), 0o644)
		}, "does not list the files"},
		{"a split job's dist", func(dir string) {
			data, _ := os.ReadFile(filepath.Join(dir, artifact.ManifestName))
			os.WriteFile(filepath.Join(dir, artifact.ManifestName), bytes.Replace(data, []byte(`"version": "1.2.3",`), []byte(`"version": "1.2.3", "partial": true,`), 1), 0o644)
		}, "bundle merge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := writeDist(t, 2)
			tt.spoil(d.Dir)
			_, err := LoadDist(d.Dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadDist: %v; want %q", err, tt.want)
			}
			if code := exitcode.Of(err); code != exitcode.Usage {
				t.Errorf("exit code %d, want %d", code, exitcode.Usage)
			}
		})
	}
}
