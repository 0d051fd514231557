package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/compile"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/bundler/internal/oses"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgrs"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// standIn is an operating system's step that exists only in this test:
// for linux targets it records each point the pipeline calls, and signs
// every output with a stand-in signature, which the checksums must cover.
// Adding it to the list of steps is all it takes.
type standIn struct{ calls *calls }

type calls struct {
	mu   sync.Mutex
	list []string
}

func (c *calls) add(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, fmt.Sprintf(format, args...))
}

const signature = "\n-- signed by the stand-in step --\n"

func (s standIn) OS() string      { return "linux" }
func (s standIn) Skips() []string { return []string{"stand-in"} }

func (s standIn) Plan(_ *config.Project, jobs []osstep.Job) ([]osstep.Job, error) {
	s.calls.add("plan %d jobs", len(jobs))
	return jobs, nil
}

func (s standIn) Prepare(_ context.Context, b osstep.Build) (osstep.Run, error) {
	s.calls.add("prepare")
	b.Report(osstep.Report{Kind: osstep.Noted, Message: "the stand-in step is ready"})
	return standInRun{s}, nil
}

type standInRun struct{ standIn }

func (r standInRun) BeforeCompile(_ context.Context, t platform.Target, req *compile.Request) (func(), error) {
	r.calls.add("before compile %s", t)
	return func() { r.calls.add("undo %s", t) }, nil
}

func (r standInRun) AfterCompile(_ context.Context, t platform.Target, exe string) error {
	r.calls.add("after compile %s %s", t, filepath.Base(exe))
	return nil
}

func (r standInRun) Combine(context.Context, osstep.Job, []string, string) error {
	r.calls.add("combine")
	return nil
}

// testLayout is a layout only the stand-in step stages.
const testLayout packager.Layout = 99

func (r standInRun) Stage(_ context.Context, t platform.Target, layout packager.Layout, dir, exe string) (string, bool, error) {
	if layout != testLayout {
		return "", false, nil
	}
	r.calls.add("stage %s", t)
	return "app.bin", true, os.WriteFile(filepath.Join(mkdir(dir), "app.bin"), []byte("staged by the stand-in"), 0o755)
}

func mkdir(dir string) string { os.MkdirAll(dir, 0o755); return dir }

func (r standInRun) AfterStage(_ context.Context, t platform.Target, app osstep.Staged) error {
	r.calls.add("after stage %s %d layouts", t, len(app))
	return nil
}

func (r standInRun) FormatInput(t platform.Target, in *packager.Input) {
	r.calls.add("format input %s %s", t, filepath.Base(in.AppDir))
}

func (r standInRun) SignOutput(t platform.Target, f packager.Format, name string) func(context.Context, string) error {
	r.calls.add("sign output %s %s", t, f.Name())
	return func(_ context.Context, path string) error {
		r.calls.add("signed %s %s", t, f.Name())
		out, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		out.WriteString(signature)
		return out.Close()
	}
}

func (r standInRun) Close() { r.calls.add("close") }

// staging is a format of the stand-in step's own layout: it copies what
// the step staged.
type staging struct{ listing }

func (staging) Name() string                      { return "staging" }
func (staging) Layout() packager.Layout           { return testLayout }
func (staging) FileName(in packager.Input) string { return in.Stem + ".staged" }
func (staging) SupportsArch(string) (bool, string) {
	return true, ""
}
func (staging) Package(_ context.Context, in packager.Input, dest string) error {
	data, err := os.ReadFile(filepath.Join(in.AppDir, in.Exe))
	if err != nil {
		return err
	}
	return os.WriteFile(dest, data, 0o644)
}

// TestStepAddedInOneLine builds with a step that exists only in the test
// and sees it called at every point, in order, for each target, its
// signature in every output the checksums cover, and its message after
// the build's header.
func TestStepAddedInOneLine(t *testing.T) {
	t.Parallel()
	c := &calls{}
	var events []Event
	var mu sync.Mutex
	o := Options{
		Config: testProject(t, strings.Replace(listingYAML, "[tar.gz, listing]", "[tar.gz, staging]", 1)),
		Dist:   filepath.Join(t.TempDir(), "dist"), SourceDateEpoch: "1767225600", Skip: []string{"stand-in"},
		OnEvent: func(e Event) { mu.Lock(); events = append(events, e); mu.Unlock() },
	}
	res, err := run(context.Background(), o, append(formats.All(), staging{}), append(oses.All(), standIn{c}), pkgmgrs.All())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Manifest.Artifacts) != 4 {
		t.Fatalf("artifacts %+v", res.Manifest.Artifacts)
	}
	for _, a := range res.Manifest.Artifacts {
		data, err := os.ReadFile(filepath.Join(o.Dist, a.Path))
		if err != nil || !strings.HasSuffix(string(data), signature) {
			t.Errorf("%s is not signed by the stand-in: %v", a.Path, err)
		}
		if sum, _ := artifact.SHA256File(o.Dist, a.Path); sum != a.SHA256 {
			t.Errorf("%s: the checksum does not cover the signature", a.Path)
		}
	}
	got := c.list
	if got[0] != "plan 2 jobs" || got[1] != "prepare" || got[len(got)-1] != "close" {
		t.Errorf("calls start %q and end %q", got[:2], got[len(got)-1])
	}
	for _, target := range []string{"linux/amd64", "linux/arm64"} {
		order := []string{
			"before compile " + target, "undo " + target, "after compile " + target + " hello", "stage " + target,
			"after stage " + target + " 2 layouts",
		}
		staged := index(got, "after stage "+target+" 2 layouts")
		for _, f := range []string{"tar.gz", "staging"} { // made side by side: each in order
			folder := map[string]string{"tar.gz": "app", "staging": "layout-99"}[f]
			at := index(got, "format input "+target+" "+folder)
			if at < staged || index(got[at:], "sign output "+target+" "+f) < 0 || index(got[at:], "signed "+target+" "+f) < 0 {
				t.Errorf("%s %s: not asked, after staging, for its input, then its signer, then signed: %q", target, f, got)
			}
		}
		last := -1
		for _, want := range order {
			i := index(got, want)
			if i <= last {
				t.Errorf("%s: %q at %d, after the point before it (%d):\n%s", target, want, i, last, strings.Join(got, "\n"))
			}
			last = i
		}
	}
	var header, note int = -1, -1
	for i, e := range events {
		switch {
		case e.Kind == Started:
			header = i
		case e.Kind == Noted && e.Message == "the stand-in step is ready":
			note = i
		}
	}
	if header < 0 || note < header {
		t.Errorf("the step's message at %d, the header at %d", note, header)
	}
}

// index is the position of s in list, or -1.
func index(list []string, s string) int { return slices.Index(list, s) }
