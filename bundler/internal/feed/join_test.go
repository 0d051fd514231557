package feed

import (
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// TestJoin joins the feeds of two split jobs, and refuses each way a job's
// feed can disagree with the release or with its own manifest.
func TestJoin(t *testing.T) {
	secret, public := keyPair(t, "")
	otherSecret, otherPublic := keyPair(t, "")
	u := &config.Update{URL: "https://example.com/dl/v{version}", KeyEnv: "K", PublicKeys: []string{public}}
	trusted := parseKeys(t, u.PublicKeys)
	now := released.Add(time.Hour)
	all := release().Artifacts
	linux, rest := all[:2], all[2:]

	// part makes a job's signed feed of its artifacts, changed by edit.
	part := func(from string, listed []artifact.Artifact, key string, edit func(*Release, *config.Update)) Part {
		t.Helper()
		r, cu := release(), *u
		r.Artifacts = listed
		if edit != nil {
			edit(&r, &cu)
		}
		f, err := Make(&cu, "stable", r, now)
		if err != nil {
			t.Fatal(err)
		}
		data, err := f.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		signing := *u
		signing.PublicKeys = []string{public, otherPublic}
		s, err := SignerFromConfig(&signing, env(map[string]string{"K": key}))
		if err != nil {
			t.Fatal(err)
		}
		return Part{From: from, Name: Name("stable"), Data: data, Sig: s.Sign(Name("stable"), released.Unix(), data), Listed: listed}
	}

	f, err := Join([]Part{part("dist-linux", linux, secret, nil), part("dist-rest", rest, secret, nil)}, trusted)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Make(u, "stable", release(), now)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.Marshal()
	want, _ := whole.Marshal()
	if string(got) != string(want) {
		t.Errorf("joined feed:\n%s\nwant the feed of one build:\n%s", got, want)
	}

	tampered := part("dist-rest", rest, secret, nil)
	tampered.Data = []byte(strings.Replace(string(tampered.Data), `"rollout": 100`, `"rollout": 50`, 1))
	unlisted := part("dist-rest", rest, secret, nil)
	unlisted.Listed = rest[1:]
	for _, c := range []struct {
		name  string
		parts []Part
		want  string
	}{
		{"tampered", []Part{part("dist-linux", linux, secret, nil), tampered}, "update-stable.json in dist-rest: its signature does not verify"},
		{"signed by an untrusted key", []Part{part("dist-linux", linux, secret, nil), part("dist-rest", rest, otherSecret, nil)}, "does not verify with update.public_keys"},
		{"a file its manifest does not list", []Part{part("dist-linux", linux, secret, nil), unlisted}, "lists hello 1.2.0 setup.exe, which its artifacts.json does not list"},
		{"a file in two jobs", []Part{part("dist-linux", linux, secret, nil), part("dist-again", linux, secret, nil)}, "hello_1.2.0_linux_amd64.tar.gz is listed in the update-stable.json of both dist-linux and dist-again"},
		{"another version", []Part{part("dist-linux", linux, secret, nil), part("dist-rest", rest, secret, func(r *Release, _ *config.Update) { v := r.Version.IncPatch(); r.Version = &v })}, "differ in version"},
		{"another source time", []Part{part("dist-linux", linux, secret, nil), part("dist-rest", rest, secret, func(r *Release, _ *config.Update) { r.Released = r.Released.Add(time.Second) })}, "differ in released (the source time)"},
		{"another expiry", []Part{part("dist-linux", linux, secret, nil), part("dist-rest", rest, secret, func(_ *Release, u *config.Update) { u.ExpiresDays = 30 })}, "differ in expires (update.expires_days)"},
		{"another rollout", []Part{part("dist-linux", linux, secret, nil), part("dist-rest", rest, secret, func(_ *Release, u *config.Update) { u.Rollout = 10 })}, "differ in rollout"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Join(c.parts, trusted)
			if exitcode.Of(err) != exitcode.Usage || err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Join: %v, want one line with %q", err, c.want)
			}
		})
	}
}
