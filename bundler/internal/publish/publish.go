// Package publish puts a finished dist on a forge as one release: a
// draft, every file uploaded, the draft's files checked against
// artifacts.json, then published, once. Every step reads the release's
// state first, so a run that was interrupted or lost an answer is
// completed by the next try or the next run, and a run over a complete
// release changes nothing.
package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/forge"
)

// Options are a publish's settings.
type Options struct {
	Tag        string
	Notes      string // the release's text
	Target     string // the commit the forge creates the tag at, when it has none
	Prerelease bool
	// Replace lets a draft's file that differs from dist, or is not in
	// dist, be replaced or removed; without it such a file stops the run.
	Replace bool
	// Rounds is how many times the run reads the release again after a
	// lost answer, a 5xx or a rate limit that the client's own tries did
	// not get past; default 5.
	Rounds  int
	Backoff time.Duration // the first wait before such a round, doubling; default 2 s
	// Say reports each step in one line.
	Say func(format string, args ...any)
}

// Result is what a run did.
type Result struct {
	Release   forge.Release
	Uploaded  []string
	Kept      []string // already on the release, identical
	Removed   []string // partial uploads, and with Replace, files that differed or were not in dist
	Published bool     // this run published the release (false: it was published before)
}

// Run publishes d as the release of o.Tag on f.
func Run(ctx context.Context, f forge.Forge, d *Dist, o Options) (Result, error) {
	if o.Rounds <= 0 {
		o.Rounds = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.Say == nil {
		o.Say = func(string, ...any) {}
	}
	r := &run{f: f, d: d, o: o, ours: map[string]bool{}, sums: map[int64]string{}}
	for round := 1; ; round++ {
		err := r.converge(ctx)
		if err == nil {
			return r.res, nil
		}
		if ctx.Err() != nil {
			return r.res, ctx.Err()
		}
		if !retryable(err) || round > o.Rounds {
			return r.res, err
		}
		if hint := forge.WaitHint(err); hint > maxWait {
			return r.res, fmt.Errorf("%w: the server asks to wait %s; run bundle publish again later", err, hint.Round(time.Second))
		}
		wait := max(forge.WaitHint(err), o.Backoff<<(round-1))
		o.Say("%v; reading the release again in %s (round %d of %d)", err, wait.Round(time.Millisecond), round, o.Rounds)
		if err := forge.Sleep(ctx, wait); err != nil {
			return r.res, err
		}
	}
}

// maxWait is the longest a run waits for a rate limit to pass.
const maxWait = 2 * time.Minute

// run is one publish, across its rounds.
type run struct {
	f    forge.Forge
	d    *Dist
	o    Options
	res  Result
	ours map[string]bool  // names this run uploaded: replaced without Replace if they turn out wrong
	sums map[int64]string // digests of assets downloaded to check them, by asset id
	sent bool             // the publish request went out
}

// raced is a state that changed under the run (an upload found its name
// taken): the next round reads it again.
type raced struct{ error }

// taken reports the forge's answer to a name or tag in use: GitHub's 422
// already_exists, Gitea's 409.
func taken(err error) bool {
	var s *forge.StatusError
	return errors.As(err, &s) && (s.Status == 409 || (s.Status == 422 && s.Code == "already_exists"))
}

func retryable(err error) bool {
	var r raced
	return forge.Transient(err) || errors.As(err, &r)
}

// converge reads the release and does what is left.
func (r *run) converge(ctx context.Context) error {
	rel, done, err := r.release(ctx)
	if err != nil || done {
		return err
	}
	assets, err := r.f.Assets(ctx, rel)
	if err != nil {
		return err
	}
	todo, err := r.plan(ctx, assets)
	if err != nil {
		return err
	}
	for _, file := range todo {
		if err := r.upload(ctx, rel, file); err != nil {
			return err
		}
	}
	if err := r.check(ctx, rel); err != nil {
		return err
	}
	r.sent = true
	pub, err := r.f.Publish(ctx, rel)
	if err != nil {
		return err
	}
	if pub.Draft {
		return fmt.Errorf("%s: the forge answered the publish request with a draft still", rel.Tag)
	}
	r.res.Release, r.res.Published = pub, true
	r.o.Say("published %s: %s", pub.Tag, pub.URL)
	return nil
}

// release finds the release of the tag, or creates the draft. done is
// true when it is published already and holds exactly dist's files.
func (r *run) release(ctx context.Context) (rel forge.Release, done bool, err error) {
	all, err := r.f.Releases(ctx, r.o.Tag)
	if err != nil {
		return rel, false, err
	}
	var drafts, published []forge.Release
	for _, x := range all {
		if x.Draft {
			drafts = append(drafts, x)
		} else {
			published = append(published, x)
		}
	}
	switch {
	case len(published) > 0:
		rel = published[0]
		if err := r.check(ctx, rel); err != nil {
			if forge.Transient(err) {
				return rel, false, err // a lost answer, not a difference
			}
			return rel, false, fmt.Errorf("%s is published already, but not as dist holds it: %w; publish a new version", rel.Tag, err)
		}
		r.res.Release, r.res.Published = rel, r.sent
		if r.sent {
			r.o.Say("published %s: %s", rel.Tag, rel.URL)
		} else {
			r.o.Say("%s is published already with every file of dist: nothing to do", rel.Tag)
		}
		return rel, true, nil
	case len(drafts) > 1:
		ids := make([]string, len(drafts))
		for i, x := range drafts {
			ids[i] = fmt.Sprint(x.ID)
		}
		return rel, false, fmt.Errorf("%d drafts of %s (ids %s): delete all but one, then run bundle publish again",
			len(drafts), r.o.Tag, strings.Join(ids, ", "))
	case len(drafts) == 1:
		if r.res.Release.ID != drafts[0].ID {
			r.o.Say("going on with the draft of %s", r.o.Tag)
		}
		r.res.Release = drafts[0]
		return drafts[0], false, nil
	}
	rel, err = r.f.CreateDraft(ctx, forge.NewRelease{Tag: r.o.Tag, Target: r.o.Target, Name: r.o.Tag, Body: r.o.Notes, Prerelease: r.o.Prerelease})
	if taken(err) {
		// Another run, or a try whose answer was lost, made it.
		return rel, false, raced{fmt.Errorf("create the draft of %s: %w", r.o.Tag, err)}
	}
	if err != nil {
		return rel, false, err
	}
	r.res.Release = rel
	r.o.Say("created the draft of %s", rel.Tag)
	return rel, false, nil
}

// plan compares the draft's assets with dist, removes what must go and
// returns the files to upload. It refuses before it changes anything
// when a file differs and Replace is off.
func (r *run) plan(ctx context.Context, assets []forge.Asset) ([]File, error) {
	want := map[string]File{}
	for _, f := range r.d.Files {
		want[f.Name] = f
	}
	have := map[string]bool{}
	var remove []forge.Asset
	var conflicts []string
	for _, a := range assets {
		f, wanted := want[a.Name]
		switch {
		case a.Partial:
			remove = append(remove, a)
		case !wanted:
			if !r.o.Replace {
				conflicts = append(conflicts, a.Name+" is not in dist")
				continue
			}
			remove = append(remove, a)
		case have[a.Name]:
			remove = append(remove, a) // a second asset of one name (Gitea allows it)
		default:
			same, err := r.same(ctx, a, f)
			if err != nil {
				return nil, err
			}
			if same {
				have[a.Name] = true
				continue
			}
			if !r.o.Replace && !r.ours[a.Name] {
				conflicts = append(conflicts, a.Name+" differs from dist")
				continue
			}
			remove = append(remove, a)
		}
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("the draft of %s has files bundle will not replace unasked: %s; pass --replace to make the draft what dist holds",
			r.o.Tag, strings.Join(conflicts, "; "))
	}
	for _, a := range remove {
		if err := r.f.Delete(ctx, r.res.Release, a); err != nil {
			return nil, err
		}
		r.res.Removed = append(r.res.Removed, a.Name)
		r.o.Say("removed %s from the draft", a.Name)
	}
	var todo []File
	for _, f := range r.d.Files {
		if have[f.Name] {
			list := &r.res.Kept
			if r.ours[f.Name] {
				list = &r.res.Uploaded // a try whose answer was lost stored it
			}
			if !slices.Contains(*list, f.Name) {
				*list = append(*list, f.Name)
			}
			continue
		}
		todo = append(todo, f)
	}
	return todo, nil
}

func (r *run) upload(ctx context.Context, rel forge.Release, f File) error {
	r.ours[f.Name] = true
	a, err := r.f.Upload(ctx, rel, f.Name, f.Size, func() (io.ReadCloser, error) { return r.d.Open(f.Name) })
	if err == nil && a.Name != f.Name {
		// GitHub renames names with some characters; the release would
		// then not hold what artifacts.json lists.
		return fmt.Errorf("upload %s: the forge stored it as %s; give the file a name of letters, digits, '.', '_' and '-'", f.Name, a.Name)
	}
	if taken(err) {
		// The name is taken: an earlier try of this upload whose answer
		// was lost, or another run. The next round sees which.
		return raced{fmt.Errorf("upload %s: %w", f.Name, err)}
	}
	if err != nil {
		return fmt.Errorf("upload %s: %w", f.Name, err)
	}
	if !slices.Contains(r.res.Uploaded, f.Name) {
		r.res.Uploaded = append(r.res.Uploaded, f.Name)
	}
	r.o.Say("uploaded %s (%s)", f.Name, artifact.HumanSize(f.Size))
	return nil
}

// check reads the release's assets and compares them with dist: the same
// names, sizes and digests, nothing partial and nothing more.
func (r *run) check(ctx context.Context, rel forge.Release) error {
	assets, err := r.f.Assets(ctx, rel)
	if err != nil {
		return err
	}
	want := map[string]File{}
	for _, f := range r.d.Files {
		want[f.Name] = f
	}
	var wrong []string
	seen := map[string]bool{}
	for _, a := range assets {
		f, ok := want[a.Name]
		switch {
		case !ok:
			wrong = append(wrong, a.Name+" is not in dist")
		case seen[a.Name]:
			wrong = append(wrong, a.Name+" is there twice")
		case a.Partial:
			wrong = append(wrong, a.Name+" is a partial upload")
		default:
			same, err := r.same(ctx, a, f)
			if err != nil {
				return err
			}
			if !same {
				wrong = append(wrong, a.Name+" differs from dist")
			}
		}
		seen[a.Name] = true
	}
	for _, f := range r.d.Files {
		if !seen[f.Name] {
			wrong = append(wrong, f.Name+" is missing")
		}
	}
	if len(wrong) > 0 {
		err := fmt.Errorf("%s: %s", rel.Tag, strings.Join(wrong, "; "))
		if rel.Draft {
			return raced{err} // the next round mends the draft
		}
		return err
	}
	return nil
}

// same reports whether asset a is file f: the same size, and the digest
// the forge reports or, where it reports none, that of the downloaded
// content.
func (r *run) same(ctx context.Context, a forge.Asset, f File) (bool, error) {
	if a.Size != f.Size {
		return false, nil
	}
	if a.SHA256 != "" {
		return strings.EqualFold(a.SHA256, f.SHA256), nil
	}
	sum, ok := r.sums[a.ID]
	if !ok {
		h := sha256.New()
		if err := r.f.Download(ctx, r.res.Release, a, h); err != nil {
			return false, fmt.Errorf("download %s to check it: %w", a.Name, err)
		}
		sum = hex.EncodeToString(h.Sum(nil))
		r.sums[a.ID] = sum
	}
	return sum == f.SHA256, nil
}
