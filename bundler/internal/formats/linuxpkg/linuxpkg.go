// Package linuxpkg makes deb, rpm, apk and Arch Linux packages through
// nfpm, used as a library: one adapter describes the package once (files,
// desktop entry, icons, AppStream metadata, relations, scripts, signing)
// and nfpm writes it in each format.
package linuxpkg

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/apk"  // registers the apk packager
	_ "github.com/goreleaser/nfpm/v2/arch" // registers the archlinux packager
	_ "github.com/goreleaser/nfpm/v2/deb"  // registers the deb packager
	_ "github.com/goreleaser/nfpm/v2/rpm"  // registers the rpm packager

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/tool"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// Format is one Linux package format; its name is nfpm's packager name.
type Format struct{ name string }

// The four formats.
var (
	Deb       = Format{"deb"}
	RPM       = Format{"rpm"}
	APK       = Format{"apk"}
	ArchLinux = Format{"archlinux"}
)

func (f Format) Name() string              { return f.name }
func (f Format) Supports(goos string) bool { return goos == "linux" }
func (f Format) Tools() []tool.Tool        { return nil }

// InstallKind is named as the format: the package manager owns what it
// installs, and an update client names that manager instead of
// overwriting its files.
func (f Format) InstallKind() updatefeed.Kind { return updatefeed.Kind(f.name) }

// FileName is nfpm's conventional name, such as hello_1.2.3-1_amd64.deb,
// with the package's architecture. A target Check refuses has no
// architecture, and is named by its stem.
func (f Format) FileName(in packager.Input) string {
	p, err := nfpm.Get(f.name)
	if err != nil {
		return in.Stem + "." + f.name
	}
	info, err := metadata(in, f)
	if err != nil {
		return in.Stem + "." + f.name
	}
	return p.ConventionalFileName(info)
}

// Package describes the package, lets nfpm check it and writes it at dest.
func (f Format) Package(ctx context.Context, in packager.Input, dest string) error {
	info, err := describe(in, f)
	if err != nil {
		return fmt.Errorf("%s: %w", f.name, err)
	}
	if err := nfpm.PrepareForPackager(info, f.name); err != nil {
		return exitcode.Config(fmt.Errorf("%s: %w", f.name, err))
	}
	p, err := nfpm.Get(f.name)
	if err != nil {
		return fmt.Errorf("%s: %w", f.name, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err = packager.WriteFile(ctx, dest, func(w io.Writer) error {
		// Debs and apks, signed or not, are streamed; nfpm holds them in
		// memory.
		switch {
		case f == Deb && info.Deb.Signature.KeyFile == "" && info.Deb.Signature.Method == "" &&
			(info.Deb.Signature.Type == "" || info.Deb.Signature.Type == "origin"):
			return writeDeb(ctx, info, in.WorkDir, w)
		case f == APK && info.APK.Signature.KeyFile == "":
			// Signed through SignFn (sign.apk) or not at all.
			return writeAPK(ctx, info, in.WorkDir, w)
		}
		return p.Package(info, w)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", f.name, err)
	}
	return nil
}

// relations picks the format's own list of a package relation.
func (f Format) relations(r config.Relations) []string {
	switch f {
	case Deb:
		return r.Deb
	case RPM:
		return r.RPM
	case APK:
		return r.APK
	case ArchLinux:
		return r.Archlinux
	}
	return nil
}

// describe is the whole package: metadata plus contents, the generated
// files written into in.WorkDir.
func describe(in packager.Input, format Format) (*nfpm.Info, error) {
	info, err := metadata(in, format)
	if err != nil {
		return nil, err
	}
	contents, err := contents(in, format)
	if err != nil {
		return nil, err
	}
	info.Contents = contents
	sc := in.Config.Linux.Scripts
	for _, s := range []struct {
		rel string
		dst *string
	}{
		{sc.PreInstall, &info.Scripts.PreInstall},
		{sc.PostInstall, &info.Scripts.PostInstall},
		{sc.PreRemove, &info.Scripts.PreRemove},
		{sc.PostRemove, &info.Scripts.PostRemove},
	} {
		if *s.dst, err = script(in, s.rel); err != nil {
			return nil, err
		}
	}
	if in.Config.Linux.DesktopEntry(in.Config.GUI) || format == Deb {
		// chglog's YAML: nfpm turns it into changelog.Debian.gz and %changelog.
		changelog, err := writeChangelog(in)
		if err != nil {
			return nil, err
		}
		info.Changelog = changelog
	}
	if err := sign(in, format, info); err != nil {
		return nil, err
	}
	return nfpm.WithDefaults(info), nil
}

// script returns the path of a maintainer script, "" when unset.
func script(in packager.Input, rel string) (string, error) {
	if rel == "" {
		return "", nil
	}
	p := filepath.Join(in.Dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return "", exitcode.Config(fmt.Errorf("linux.scripts: %s does not exist; fix the path (relative to bundle.yaml)", rel))
	}
	return p, nil
}
