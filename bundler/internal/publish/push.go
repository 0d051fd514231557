package publish

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/forge"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/aur"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/homebrew"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/scoop"
	"github.com/bundlekit/bundle/bundler/internal/proc"
)

// push is one repository a manifest goes to after the release is out: a
// Homebrew tap or a Scoop bucket (through the forge's contents API, a
// commit per file) or an AUR package (through git).
type push struct {
	what  string            // "the Homebrew tap example/homebrew-tap"
	repo  string            // owner/name on the forge, or the AUR git address
	token string            // for a forge repository
	files map[string]string // path in the repository: the file in dist
	git   bool              // an AUR git repository
	key   string            // the AUR push's SSH key, or ""
	env   string            // the variable holding the token or key, kept from the programs bundle starts
}

// plannedPushes reads the repositories bundle.yaml names for the
// manifests, checks before anything is published that dist holds each
// manifest and that each token or key is set, and returns them.
func plannedPushes(c config.Config, d *Dist, releaseToken string, getenv func(string) string) ([]push, error) {
	pm := c.PackageManagers
	byFormat := func(format string) []string {
		var names []string
		for _, a := range d.Manifest.Artifacts {
			if a.Format == format {
				names = append(names, a.Path)
			}
		}
		return names
	}
	token := func(env, field string) (string, error) {
		if env == "" {
			return releaseToken, nil
		}
		t := getenv(env)
		if strings.TrimSpace(t) == "" {
			return "", exitcode.Config(fmt.Errorf("%s: $%s is not set; put a token that may write the repository there", field, env))
		}
		return t, nil
	}
	var out []push
	if h := pm.Homebrew; h != nil && h.Tap != "" {
		casks := byFormat(homebrew.Format)
		if len(casks) != 1 {
			return nil, exitcode.Config(fmt.Errorf("package_managers.homebrew.tap: %s holds %d casks, want 1; build with package_managers.homebrew in bundle.yaml", d.Dir, len(casks)))
		}
		t, err := token(h.TokenEnv, "package_managers.homebrew.token_env")
		if err != nil {
			return nil, err
		}
		out = append(out, push{what: "the Homebrew tap " + h.Tap, repo: h.Tap, token: t, env: h.TokenEnv, files: map[string]string{"Casks/" + casks[0]: casks[0]}})
	}
	if s := pm.Scoop; s != nil && s.Bucket != "" {
		manifests := byFormat(scoop.Format)
		if len(manifests) != 1 {
			return nil, exitcode.Config(fmt.Errorf("package_managers.scoop.bucket: %s holds %d Scoop manifests, want 1; build with package_managers.scoop in bundle.yaml", d.Dir, len(manifests)))
		}
		t, err := token(s.TokenEnv, "package_managers.scoop.token_env")
		if err != nil {
			return nil, err
		}
		out = append(out, push{what: "the Scoop bucket " + s.Bucket, repo: s.Bucket, token: t, env: s.TokenEnv, files: map[string]string{"bucket/" + manifests[0]: manifests[0]}})
	}
	if a := pm.AUR; a != nil && a.Git != "" {
		pkgbuild, srcinfo := byFormat(aur.PKGBUILDFormat), byFormat(aur.SRCINFOFormat)
		if len(pkgbuild) != 1 || len(srcinfo) != 1 {
			return nil, exitcode.Config(fmt.Errorf("package_managers.aur.git: %s holds no PKGBUILD and .SRCINFO; build with package_managers.aur in bundle.yaml", d.Dir))
		}
		p := push{what: "the AUR package " + a.Git, repo: a.Git, git: true, env: a.KeyEnv, files: map[string]string{"PKGBUILD": pkgbuild[0], ".SRCINFO": srcinfo[0]}}
		if a.KeyEnv != "" {
			if p.key = getenv(a.KeyEnv); strings.TrimSpace(p.key) == "" {
				return nil, exitcode.Config(fmt.Errorf("package_managers.aur.key_env: $%s is not set; put the SSH private key the AUR knows there", a.KeyEnv))
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// pushAll writes each manifest into its repository, once: a file that is
// there already with the same content is left alone, and nothing is ever
// forced over what the repository holds.
func pushAll(ctx context.Context, kind Kind, api string, pushes []push, d *Dist, tag string, say func(string, ...any)) error {
	for _, p := range pushes {
		var err error
		if p.git {
			err = pushGit(ctx, p, d, tag, say)
		} else {
			err = pushForge(ctx, kind, api, p, d, tag, say)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p.what, err)
		}
	}
	return nil
}

// pushForge writes each file through the contents API. A write whose
// answer was lost, or that met a change made meanwhile, is followed by a
// fresh read: the content there decides whether to write again.
func pushForge(ctx context.Context, kind Kind, api string, p push, d *Dist, tag string, say func(string, ...any)) error {
	f, err := kind.Open(api, p.repo, p.token, forge.Options{})
	if err != nil {
		return err
	}
	for path, name := range p.files {
		want, err := artifact.ReadSmall(d.Dir, name, 16<<20)
		if err != nil {
			return err
		}
		for try := 1; ; try++ {
			have, version, found, err := f.File(ctx, path)
			if err != nil {
				return err
			}
			if found && bytes.Equal(have, want) {
				if try == 1 {
					say("%s: %s is up to date", p.what, path)
				} else {
					say("%s: wrote %s", p.what, path)
				}
				break
			}
			err = f.PutFile(ctx, path, want, version, fmt.Sprintf("%s %s", strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), strings.TrimPrefix(tag, "v")))
			if err == nil {
				say("%s: wrote %s", p.what, path)
				break
			}
			if try == 3 || !(forge.Transient(err) || forge.Status(err) == 409 || forge.Status(err) == 422) {
				return err
			}
			if err := forge.Sleep(ctx, time.Duration(try)*time.Second); err != nil {
				return err
			}
		}
	}
	return nil
}

// pushGit clones the AUR package's repository, puts PKGBUILD and .SRCINFO
// in, and pushes one commit to master, which the AUR builds from; an
// unchanged package is not committed. The push is plain: the AUR refuses
// a forced one, and bundle never asks for it. git runs without the
// forges' tokens; the SSH key, when given, is a file of this run's only.
func pushGit(ctx context.Context, p push, d *Dist, tag string, say func(string, ...any)) error {
	work, err := os.MkdirTemp("", "bundle-aur-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	env := []string{"GIT_TERMINAL_PROMPT=0"}
	if p.key != "" {
		key := filepath.Join(work, "key")
		if err := os.WriteFile(key, []byte(strings.TrimRight(p.key, "\n")+"\n"), 0o600); err != nil {
			return err
		}
		// git runs the command through a shell: the path is one quoted word.
		env = append(env, "GIT_SSH_COMMAND=ssh -i '"+strings.ReplaceAll(filepath.ToSlash(key), "'", `'\''`)+"' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new")
	}
	repo := filepath.Join(work, "repo")
	git := func(args ...string) (string, error) {
		cmd := proc.Command(ctx, "git", args...)
		cmd.Env = proc.Env(ctx, env...)
		cmd.Dir = work
		if len(args) > 0 && args[0] != "clone" {
			cmd.Dir = repo
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if err != nil && ctx.Err() == nil {
			err = fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(lastLines(out.String(), 3)))
		}
		return out.String(), err
	}
	if _, err := git("clone", "--quiet", "--depth", "1", "--", p.repo, repo); err != nil {
		return err
	}
	for path, name := range p.files {
		src, err := artifact.Open(d.Dir, name)
		if err != nil {
			return err
		}
		// The clone is the remote's: a link planted at this name must not
		// lead the write elsewhere.
		target := filepath.Join(repo, path)
		if err := os.Remove(target); err != nil && !os.IsNotExist(err) {
			src.Close()
			return err
		}
		dst, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, err = io.Copy(dst, src)
			if cerr := dst.Close(); err == nil {
				err = cerr
			}
		}
		src.Close()
		if err != nil {
			return err
		}
	}
	if _, err := git(append([]string{"add", "--"}, slices.Sorted(maps.Keys(p.files))...)...); err != nil {
		return err
	}
	if _, err := git("diff", "--cached", "--quiet"); err == nil {
		say("%s: PKGBUILD and .SRCINFO are up to date", p.what)
		return nil
	} else if ctx.Err() != nil {
		return ctx.Err()
	}
	if _, err := git("-c", "user.name=bundle", "-c", "user.email=bundle@localhost", "commit", "--quiet", "-m", "Update to "+strings.TrimPrefix(tag, "v")); err != nil {
		return err
	}
	if _, err := git("push", "--quiet", "origin", "HEAD:refs/heads/master"); err != nil {
		return err
	}
	say("%s: pushed %s", p.what, strings.TrimPrefix(tag, "v"))
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " ")
}
