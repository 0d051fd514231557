package macos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/archive"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/linktree"
	"github.com/bundlekit/bundle/bundler/internal/macsign"
	"github.com/bundlekit/bundle/bundler/internal/notary"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// macNotary notarizes a build's signed macOS code.
type macNotary struct {
	service *notary.Service
	creds   notary.Credentials
	timeout time.Duration
}

// newNotary returns the notary of a build that signs macOS code and has an
// App Store Connect API key, or nil and why it does not notarize.
func newNotary(b osstep.Build, skip bool) (*macNotary, string, error) {
	if skip {
		return nil, "--skip notarize", nil
	}
	creds, timeout, why, err := notary.FromConfig(b.Project.Dir, b.Project.Config.Notarize.MacOS, os.LookupEnv)
	if err != nil || creds == nil {
		return nil, why, err
	}
	service := b.Notary
	if service == nil {
		service = notary.Apple()
	}
	return &macNotary{service: service, creds: *creds, timeout: timeout}, "", nil
}

// notarize submits the file at path as name and reports progress: a line
// when it starts, on every change of status, and once a minute while it
// waits.
func (r *run) notarize(ctx context.Context, t platform.Target, path, name string) error {
	report := r.b.Report
	report(osstep.Report{Kind: osstep.Notarizing, Target: t, Message: name + ": submitted"})
	last, lastAt := "", time.Duration(0)
	_, err := r.notary.service.Notarize(ctx, r.notary.creds, path, name, r.notary.timeout, func(status string, elapsed time.Duration) {
		if status != last || elapsed-lastAt >= time.Minute {
			report(osstep.Report{Kind: osstep.Notarizing, Target: t, Message: name + ": " + status, Elapsed: elapsed})
			last, lastAt = status, elapsed
		}
	})
	if rej, ok := err.(*notary.Rejection); ok {
		for _, issue := range rej.Log.Issues {
			report(osstep.Report{Kind: osstep.Warned, Target: t, Message: "notary: " + name + ": " + issue.String()})
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
func (r *run) notarizeApp(ctx context.Context, t platform.Target, app osstep.Staged) error {
	dir := filepath.Join(r.b.TargetDir(t), "notarize")
	bundle, hasBundle := app[packager.MacAppBundle]
	if hasBundle {
		if err := linktree.Mirror(bundle.Dir, dir); err != nil {
			return err
		}
	}
	if plain, ok := app[packager.PlainFolder]; ok {
		if err := linktree.Mirror(filepath.Join(plain.Dir, plain.Exe), filepath.Join(dir, plain.Exe)); err != nil {
			return err
		}
	}
	zip := filepath.Join(r.b.TargetDir(t), "notarize.zip")
	f, err := os.Create(zip)
	if err != nil {
		return err
	}
	if err := archive.Zip(f, dir, "", r.b.MTime); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := r.notarize(ctx, t, zip, filepath.Base(zip)); err != nil {
		return err
	}
	if !hasBundle {
		return nil
	}
	return r.staple(ctx, filepath.Join(bundle.Dir, BundleName(r.b.Project.Config)), macsign.AppCodeDirectoryHash, macsign.StapleApp)
}

// staple fetches the ticket of the notarized code at path, found by its
// CodeDirectory hash, and staples it there.
func (r *run) staple(ctx context.Context, path string, cdHash func(string) ([]byte, error), staple func(string, []byte) error) error {
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
func (r *run) signDiskImage(t platform.Target, name string) func(context.Context, string) error {
	return func(ctx context.Context, path string) error {
		if err := macsign.SignDMG(ctx, path, r.mac.Options(identifier(r.b.Project.Config))); err != nil {
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
