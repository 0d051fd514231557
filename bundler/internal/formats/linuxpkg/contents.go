package linuxpkg

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2/files"

	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/templates"
	"github.com/bundlekit/bundle/templates/text"
)

// contents lists the package's files. The executable goes to /usr/bin, or,
// when the app ships files beside it, the app folder goes to
// /opt/<package> with a /usr/bin link to the executable. Manual pages
// (share/man/manN/… in the app folder) go to /usr/share/man, compressed.
func contents(in packager.Input, format Format) (files.Contents, error) {
	c := in.Config
	pkg := c.Linux.PackageName
	var out files.Contents
	add := func(src, dst string, mode os.FileMode, kind string) {
		out = append(out, &files.Content{Source: src, Destination: dst, Type: kind, FileInfo: &files.ContentFileInfo{Mode: mode, MTime: in.MTime}})
	}
	staged, err := stagedFiles(in)
	if err != nil {
		return nil, err
	}
	var manPages []string
	exe := "/usr/bin/" + c.Binary
	if !inOpt(in, staged) {
		add(filepath.Join(in.AppDir, in.Exe), exe, 0o755, "")
	}
	for _, f := range staged {
		if dst, ok := manPage(f.rel); ok {
			gz, err := gzipTo(filepath.Join(in.AppDir, filepath.FromSlash(f.rel)), filepath.Join(in.WorkDir, "man-"+path.Base(dst)))
			if err != nil {
				return nil, err
			}
			add(gz, dst, 0o644, "")
			manPages = append(manPages, dst)
			continue
		}
		if inOpt(in, staged) {
			add(filepath.Join(in.AppDir, filepath.FromSlash(f.rel)), path.Join("/opt", pkg, f.rel), f.mode, "")
		}
	}
	if inOpt(in, staged) {
		add(path.Join("/opt", pkg, in.Exe), exe, 0o777, files.TypeSymlink)
	}

	gen := func(name string, data []byte) (string, error) {
		p := filepath.Join(in.WorkDir, name)
		return p, os.WriteFile(p, data, 0o644)
	}
	render := func(tmpl, name string, data any) (string, error) {
		b, err := templates.Render(tmpl, data)
		if err != nil {
			return "", err
		}
		return gen(name, b)
	}

	if c.Linux.DesktopEntry(c.GUI) {
		id := c.ID
		desktop, err := render("linux/app.desktop.tmpl", "app.desktop", map[string]any{
			"Name": c.Name, "Comment": synopsis(c.Name, c.Description), "Exec": c.Binary, "Icon": id,
			"Terminal": !c.GUI, "Categories": c.Linux.Categories, "StartupWMClass": c.Binary,
		})
		if err != nil {
			return nil, err
		}
		add(desktop, "/usr/share/applications/"+id+".desktop", 0o644, "")
		meta, err := render("linux/metainfo.xml.tmpl", "metainfo.xml", map[string]any{
			"ID": id, "Name": c.Name, "Summary": synopsis(c.Name, c.Description), "Paragraphs": extended(c.Name, c.Description),
			"License": c.License, "Homepage": c.Homepage, "Developer": c.Publisher,
			"Version": in.Version.String(), "Date": in.MTime.UTC().Format(time.DateOnly),
		})
		if err != nil {
			return nil, err
		}
		add(meta, "/usr/share/metainfo/"+id+".metainfo.xml", 0o644, "")
	}
	if in.Icons != nil && c.Linux.DesktopEntry(c.GUI) {
		for _, size := range icons.HicolorSizes {
			data, err := in.Icons.PNG(size)
			if err != nil {
				return nil, err
			}
			src, err := gen(fmt.Sprintf("icon-%d.png", size), data)
			if err != nil {
				return nil, err
			}
			add(src, fmt.Sprintf("/usr/share/icons/hicolor/%dx%d/apps/%s.png", size, size, c.ID), 0o644, "")
		}
	}

	license := licenseFile(in)
	switch format {
	case Deb:
		copyright, err := render("linux/copyright.tmpl", "copyright", map[string]any{
			"Name": c.Name, "Homepage": c.Homepage, "Copyright": copyrightLine(in),
			"License": orDefault(c.License, "unknown"), "LicenseText": licenseLines(license),
		})
		if err != nil {
			return nil, err
		}
		add(copyright, "/usr/share/doc/"+pkg+"/copyright", 0o644, "")
		var optFiles []string
		for _, f := range out {
			if strings.HasPrefix(f.Destination, "/opt/") && f.Type != files.TypeSymlink {
				optFiles = append(optFiles, strings.TrimPrefix(f.Destination, "/"))
			}
		}
		overrides, err := render("linux/lintian-overrides.tmpl", "lintian-overrides", map[string]any{
			"Package": pkg, "Exe": strings.TrimPrefix(exeTarget(in), "/"), "Command": strings.TrimPrefix(exe, "/"),
			"InOpt": inOpt(in, staged), "OptFiles": optFiles, "ManPage": hasManPage(manPages, c.Binary),
		})
		if err != nil {
			return nil, err
		}
		add(overrides, "/usr/share/lintian/overrides/"+pkg, 0o644, "")
	default:
		if license != "" {
			kind := ""
			if format == RPM {
				kind = files.TypeRPMLicense
			}
			add(license, "/usr/share/licenses/"+pkg+"/LICENSE", 0o644, kind)
		}
	}
	return out, nil
}

// exeTarget is where the executable itself lies in the installed package.
func exeTarget(in packager.Input) string {
	staged, err := stagedFiles(in)
	if err != nil || !inOpt(in, staged) {
		return "/usr/bin/" + in.Config.Binary
	}
	return "/opt/" + in.Config.Linux.PackageName + "/" + in.Exe
}

// stagedFile is a file of the app folder, by its slash-separated path
// in it.
type stagedFile struct {
	rel  string
	mode os.FileMode
}

// stagedFiles lists the app folder.
func stagedFiles(in packager.Input) ([]stagedFile, error) {
	var out []stagedFile
	err := filepath.WalkDir(in.AppDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(in.AppDir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if info.Mode()&0o111 != 0 {
			mode = 0o755
		}
		out = append(out, stagedFile{rel: filepath.ToSlash(rel), mode: mode})
		return nil
	})
	return out, err
}

// inOpt reports whether the app has files beside the executable other than
// manual pages, and so is installed as a folder in /opt.
func inOpt(in packager.Input, staged []stagedFile) bool {
	for _, f := range staged {
		if _, man := manPage(f.rel); !man && f.rel != filepath.ToSlash(in.Exe) {
			return true
		}
	}
	return false
}

// manSource is a manual page's place in the app folder: share/man/manN/
// and a name whose extension starts with the section, as in fzf.1 or
// git-log.1; compressed or not.
var manSource = regexp.MustCompile(`^share/man/man([1-9])/([^/]+\.([1-9])[a-z]*)(\.gz)?$`)

// manPage is where a manual page of the app folder is installed, always
// gzip-compressed as Debian policy wants; ok is false for any other file.
func manPage(rel string) (dst string, ok bool) {
	m := manSource.FindStringSubmatch(rel)
	if m == nil || m[1] != m[3] {
		return "", false
	}
	return "/usr/share/man/man" + m[1] + "/" + m[2] + ".gz", true
}

// hasManPage reports whether the command has a manual page among pages.
func hasManPage(pages []string, binary string) bool {
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".gz")
		if strings.TrimSuffix(name, path.Ext(name)) == binary {
			return true
		}
	}
	return false
}

// gzipTo writes src compressed to dst, or copies it when src already is
// gzip data. The gzip header has no name and no time, so builds repeat
// byte for byte.
func gzipTo(src, dst string) (string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		return dst, os.WriteFile(dst, data, 0o644)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(data); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return dst, os.WriteFile(dst, buf.Bytes(), 0o644)
}

// licenseFile is the staged license text, when one of the app's files is a
// LICENSE or COPYING file.
func licenseFile(in packager.Input) string {
	for _, f := range in.Config.Files {
		base := strings.ToUpper(path.Base(f.Dst))
		if strings.HasPrefix(base, "LICENSE") || strings.HasPrefix(base, "LICENCE") || strings.HasPrefix(base, "COPYING") {
			p := filepath.Join(in.AppDir, filepath.FromSlash(f.Dst))
			if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}

// licenseLines is the license text for the Debian copyright file, one
// string per line ("" for an empty line, which the template writes as " ."),
// each one line of text (text.Line) without trailing spaces.
func licenseLines(path string) []string {
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	lines := strings.Split(strings.TrimRight(string(data), "\r\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(text.Line(l), " ") // indentation stays
	}
	return lines
}

// copyrightLine is the copyright notice: the configured one, else the year
// of the release and the publisher (Debian wants a year and a holder).
func copyrightLine(in packager.Input) string {
	if in.Config.Copyright != "" {
		return in.Config.Copyright
	}
	return fmt.Sprintf("%d %s", in.MTime.Year(), orDefault(in.Config.Publisher, in.Config.Name))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
