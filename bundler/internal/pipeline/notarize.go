package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/archive"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/linktree"
	"github.com/bundlekit/bundle/bundler/internal/macsign"
	"github.com/bundlekit/bundle/bundler/internal/notary"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// SkipNotarize is the --skip value that signs macOS code without waiting
// for Apple.
const SkipNotarize = "notarize"

// SkipSteps are the values --skip takes.
func SkipSteps() []string { return []string{SkipNotarize} }

// checkSkip refuses a --skip value that names no step.
func checkSkip(skip []string) error {
	for _, s := range skip {
		if slices.Contains(SkipSteps(), s) {
			continue
		}
		hint := ""
		if near := config.Nearest(s, SkipSteps()); near != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", near)
		}
		return exitcode.Config(fmt.Errorf("--skip %s: no such step%s; steps: %s", s, hint, strings.Join(SkipSteps(), ", ")))
	}
	return nil
}

// macNotary notarizes a build's signed macOS code.
type macNotary struct {
	service *notary.Service
	creds   notary.Credentials
	timeout time.Duration
}

// notaryFor returns the notary of a build that signs macOS code and has an
// App Store Connect API key, or nil and the line that says why it does
// not notarize.
func notaryFor(p *config.Project, mac *macsign.Signer, skip bool, service *notary.Service, lookup func(string) (string, bool)) (*macNotary, string, error) {
	if mac == nil {
		return nil, "", nil
	}
	if skip {
		return nil, "macOS code is signed, not notarized: --skip notarize", nil
	}
	n := p.Config.Notarize.MacOS
	if n == nil {
		n = &config.MacOSNotarize{}
	}
	value := func(v, env string) string {
		if v != "" {
			return v
		}
		got, _ := lookup(env)
		return got
	}
	keyEnv := n.KeyEnv
	if keyEnv == "" {
		keyEnv = config.NotaryKeyEnv
	}
	issuer, keyID := value(n.IssuerID, config.NotaryIssuerEnv), value(n.KeyID, config.NotaryKeyIDEnv)
	var key []byte
	field := "notarize.macos.key_env"
	if n.KeyFile != "" {
		field = "notarize.macos.key_file"
		data, err := config.ReadSmallFile(p.Dir, n.KeyFile)
		if err != nil {
			return nil, "", exitcode.Config(fmt.Errorf("%s: %w", field, err))
		}
		key = data
	} else if text, ok := lookup(keyEnv); ok {
		key = []byte(text)
	}
	if issuer == "" || keyID == "" || len(key) == 0 {
		return nil, fmt.Sprintf("macOS code is signed, not notarized: no App Store Connect API key (set notarize.macos, or $%s, $%s and $%s)",
			config.NotaryIssuerEnv, config.NotaryKeyIDEnv, keyEnv), nil
	}
	k, err := notary.ParseKey(key)
	if err != nil {
		return nil, "", exitcode.Config(fmt.Errorf("%s: %w", field, err))
	}
	timeout := 30 * time.Minute
	if n.Timeout != "" {
		if timeout, err = time.ParseDuration(n.Timeout); err != nil {
			return nil, "", exitcode.Config(fmt.Errorf("notarize.macos.timeout: %w", err))
		}
	}
	if service == nil {
		service = notary.Apple()
	}
	return &macNotary{service: service, creds: notary.Credentials{IssuerID: issuer, KeyID: keyID, Key: k}, timeout: timeout}, "", nil
}

// notarize submits the file at path as name and reports progress: a line
// when it starts, on every change of status, and once a minute while it
// waits.
func (r *runner) notarize(ctx context.Context, t platform.Target, path, name string) error {
	r.emit(Event{Kind: Notarizing, Target: t, Message: name + ": submitted"})
	last, lastAt := "", time.Duration(0)
	_, err := r.notary.service.Notarize(ctx, r.notary.creds, path, name, r.notary.timeout, func(status string, elapsed time.Duration) {
		if status != last || elapsed-lastAt >= time.Minute {
			r.emit(Event{Kind: Notarizing, Target: t, Message: name + ": " + status, Elapsed: elapsed})
			last, lastAt = status, elapsed
		}
	})
	if rej, ok := err.(*notary.Rejection); ok {
		for _, issue := range rej.Log.Issues {
			r.emit(Event{Kind: Warned, Target: t, Message: "notary: " + name + ": " + issue.String()})
		}
	}
	if err != nil {
		return fmt.Errorf("notarize %s: %w", name, err)
	}
	return nil
}

// notarizeApp notarizes the signed app and the signed bare executable of a
// target in one submission, then staples the ticket to the app (a bare
// executable has nowhere to hold one; Gatekeeper finds its ticket online).
func (r *runner) notarizeApp(ctx context.Context, t platform.Target, s staged) error {
	dir := filepath.Join(r.targetDir(t), "notarize")
	if s.bundle != "" {
		if err := linktree.Mirror(s.bundle, dir); err != nil {
			return err
		}
	}
	if s.plain != "" {
		if err := linktree.Mirror(filepath.Join(s.plain, s.plainExe), filepath.Join(dir, s.plainExe)); err != nil {
			return err
		}
	}
	zip := filepath.Join(r.targetDir(t), "notarize.zip")
	f, err := os.Create(zip)
	if err != nil {
		return err
	}
	if err := archive.Zip(f, dir, "", r.mtime); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := r.notarize(ctx, t, zip, filepath.Base(zip)); err != nil {
		return err
	}
	if s.bundle == "" {
		return nil
	}
	return r.staple(ctx, filepath.Join(s.bundle, BundleName(r.p.Config)), macsign.AppCodeDirectoryHash, macsign.StapleApp)
}

// staple fetches the ticket of the notarized code at path, found by its
// CodeDirectory hash, and staples it there.
func (r *runner) staple(ctx context.Context, path string, cdHash func(string) ([]byte, error), staple func(string, []byte) error) error {
	hash, err := cdHash(path)
	if err != nil {
		return err
	}
	ticket, err := r.notary.service.Ticket(ctx, hash)
	if err != nil {
		return fmt.Errorf("staple %s: %w", filepath.Base(path), err)
	}
	return staple(path, ticket)
}

// signDiskImage signs a disk image in place and, when the build
// notarizes, notarizes it as name (the artifact's file name, not the
// temporary one it is made under) and staples its ticket.
func (r *runner) signDiskImage(t platform.Target, name string) func(context.Context, string) error {
	return func(ctx context.Context, path string) error {
		if err := macsign.SignDMG(ctx, path, r.mac.Options(macIdentifier(r.p.Config))); err != nil {
			return err
		}
		if r.notary == nil {
			return nil
		}
		if err := r.notarize(ctx, t, path, name); err != nil {
			return err
		}
		return r.staple(ctx, path, macsign.DMGCodeDirectoryHash, macsign.StapleDMG)
	}
}

// timestamper is the time-stamping server of sign.macos: the one
// configured, else Apple's when the build notarizes (notarization requires
// a secure timestamp), else none.
func timestamper(c *config.MacOSSign, notarizing bool) *macsign.Timestamper {
	switch {
	case c.TimestampURL != "":
		return &macsign.Timestamper{URL: c.TimestampURL}
	case notarizing:
		return &macsign.Timestamper{URL: macsign.AppleTimestampURL}
	}
	return nil
}

// macIdentifier is what macOS code is signed as: the bundle id, or the
// binary's name when the config has none (only apps need one).
func macIdentifier(c config.Config) string {
	if c.ID != "" {
		return c.ID
	}
	return c.Binary
}
