package update

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// runInstaller updates an NSIS or MSI install by running the new
// installer silently: an NSIS installer into the install's folder (/S
// /D=folder), an MSI through msiexec (/i /qn), whose major upgrade
// replaces the installed version in its folder. First every file of the
// folder is kept as a hard link, so a rollback can put them back. The
// running executable is moved aside, which Windows allows, so the
// installer can write the new one; the old version's removal removes only
// the files it installed, never the update's folder. A kill of the app
// does not stop the installer, which then finishes on its own; the next
// start takes it from the journal. A rollback restores the files; Windows
// still lists the new version as installed until the next update.
func (ap *Applied) runInstaller(ctx context.Context, j *journal, installer string) error {
	p := ap.p
	before, err := installed(p)
	if err != nil {
		return err
	}
	for _, rel := range before {
		if err := keep(filepath.Join(p.root, rel), filepath.Join(p.backup(), rel)); err != nil {
			os.RemoveAll(p.backup())
			return fmt.Errorf("keep the running version's %s: %w", rel, err)
		}
	}
	j.Replaced = before
	if err := p.writeJournal(j); err != nil {
		return err
	}
	if err := os.MkdirAll(p.aside(), 0o755); err != nil {
		return ap.undo(j, err)
	}
	exe := filepath.Join(p.root, p.exe)
	if err := os.Rename(exe, filepath.Join(p.aside(), p.exe+"."+strconv.Itoa(os.Getpid()))); err != nil {
		return ap.undo(j, err)
	}
	cmd := exec.CommandContext(ctx, installer, "/S", "/D="+p.root) // /D last and unquoted: NSIS takes the rest of the line
	if p.kind == MSI {
		cmd = exec.CommandContext(ctx, "msiexec", "/i", installer, "/qn", "/norestart")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return ap.undo(j, fmt.Errorf("the installer %s failed: %v %s", filepath.Base(installer), err, out))
	}
	if info, err := os.Stat(exe); err != nil || !info.Mode().IsRegular() {
		return ap.undo(j, fmt.Errorf("the installer %s did not install %s", filepath.Base(installer), p.exe))
	}
	after, err := installed(p)
	if err != nil {
		return ap.undo(j, err)
	}
	had := map[string]bool{}
	for _, rel := range before {
		had[rel] = true
	}
	for _, rel := range after {
		if !had[rel] {
			j.Added = append(j.Added, rel)
		}
	}
	return ap.applied(j)
}

// installed lists the files of the install's folder, the update's own
// folder left out.
func installed(p place) ([]string, error) {
	var files []string
	err := filepath.Walk(p.root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if path == p.work {
			return filepath.SkipDir
		}
		if !info.IsDir() {
			rel, _ := filepath.Rel(p.root, path)
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}
