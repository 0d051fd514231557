package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/scratch"
	"github.com/bundlekit/bundle/bundler/internal/tool"
)

// MSI describes a Windows Installer package, as msiinfo (msitools) reads it.
type MSI struct {
	Path           string `json:"path"`
	ProductName    string `json:"product_name"`
	ProductVersion string `json:"product_version"`
	Manufacturer   string `json:"manufacturer"`
	ProductCode    string `json:"product_code"`
	UpgradeCode    string `json:"upgrade_code"`
	PackageCode    string `json:"package_code"` // the summary's revision number
	Arch           string `json:"arch"`         // from the summary's template: amd64, 386, arm64
	// InstallScope is "machine" (ALLUSERS=1), "user" (no ALLUSERS) or
	// "either" (ALLUSERS=2: the user chooses).
	InstallScope string `json:"install_scope"`
	// ElevationRequired is false when the summary's word count says the
	// package needs no administrator rights (bit 3), as per-user ones do.
	ElevationRequired bool      `json:"elevation_required"`
	Signed            bool      `json:"authenticode_signed"`
	Summary           []Field   `json:"summary"`
	Properties        []Field   `json:"properties"`
	Files             []MSIFile `json:"files"`
	Shortcuts         []string  `json:"shortcuts,omitempty"` // where each goes: [ProgramMenuFolder]\Name
}

// MSIFile is a file the package installs.
type MSIFile struct {
	Path string `json:"path"` // where it goes, from the standard folder: [ProgramFiles64Folder]\App\app.exe
	Size int64  `json:"size"`
}

// Msiinfo reads MSI databases; it comes with wixl in msitools.
var Msiinfo = tool.Tool{
	Name:        "msiinfo (msitools)",
	Command:     "msiinfo",
	VersionArgs: []string{"--version"},
	Debian:      "msitools",
	Homebrew:    "msitools",
}

// cfbMagic starts every OLE compound file, the container of an MSI.
var cfbMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// maxMsiinfoOutput bounds what inspect reads from one msiinfo run, and
// each file it writes.
const maxMsiinfoOutput = 64 << 20

// readMSI reads an MSI's summary, its Property, File, Component, Directory
// and Shortcut tables and its stream list with msiinfo. Reading the
// database format in Go would mean a compound-file reader plus the MSI
// string pool and table encoding; msitools, which builds the MSI, already
// reads it.
func readMSI(ctx context.Context, p string, head []byte) (*MSI, error) {
	if !bytes.HasPrefix(head, cfbMagic) {
		return nil, errors.New("not a Windows Installer database (no OLE compound file header)")
	}
	cmd, err := tool.Find(Msiinfo, "inspecting an msi")
	if err != nil {
		return nil, err
	}
	// msiinfo export writes a table's binary streams into the working
	// directory: give it an empty one and remove it after.
	dir, remove, err := scratch.Dir("bundle-inspect-msi-")
	if err != nil {
		return nil, err
	}
	defer remove()
	abs, err := filepath.Abs(p) // msiinfo runs in dir
	if err != nil {
		return nil, err
	}
	run := func(command string, args ...string) (string, error) {
		return msiinfo(ctx, cmd, dir, command, abs, args...)
	}

	tables, err := run("tables")
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, t := range strings.Fields(tables) {
		has[t] = true
	}
	m := &MSI{Path: p}
	sum, err := run("suminfo")
	if err != nil {
		return nil, err
	}
	wordCount := -1
	for _, line := range strings.Split(sum, "\n") {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ": ")
		if !ok {
			continue
		}
		m.Summary = append(m.Summary, Field{k, v})
		switch k {
		case "Revision number (UUID)":
			m.PackageCode = v
		case "Template":
			m.Arch = msiArch(v)
		case "Source": // msiinfo's name for the word count
			f, _, _ := strings.Cut(v, " ")
			if n, err := strconv.Atoi(f); err == nil {
				wordCount = n
			}
		}
	}
	m.ElevationRequired = wordCount < 0 || wordCount&8 == 0

	export := func(table string) ([]map[string]string, error) {
		if !has[table] {
			return nil, nil
		}
		out, err := run("export", table)
		if err != nil {
			return nil, err
		}
		return idtRows(out), nil
	}
	props, err := export("Property")
	if err != nil {
		return nil, err
	}
	allUsers := ""
	for _, r := range props {
		v := r["Value"]
		m.Properties = append(m.Properties, Field{r["Property"], v})
		switch r["Property"] {
		case "ProductName":
			m.ProductName = v
		case "ProductVersion":
			m.ProductVersion = v
		case "Manufacturer":
			m.Manufacturer = v
		case "ProductCode":
			m.ProductCode = v
		case "UpgradeCode":
			m.UpgradeCode = v
		case "ALLUSERS":
			allUsers = v
		}
	}
	switch allUsers {
	case "":
		m.InstallScope = "user"
	case "2":
		m.InstallScope = "either"
	default:
		m.InstallScope = "machine"
	}

	var rows [4][]map[string]string
	for i, table := range []string{"Directory", "Component", "File", "Shortcut"} {
		if rows[i], err = export(table); err != nil {
			return nil, err
		}
	}
	folders := msiFolders(rows[0])
	componentDir := map[string]string{}
	for _, r := range rows[1] {
		componentDir[r["Component"]] = r["Directory_"]
	}
	for _, r := range rows[2] {
		size, _ := strconv.ParseInt(r["FileSize"], 10, 64)
		m.Files = append(m.Files, MSIFile{Path: folders.path(componentDir[r["Component_"]]) + `\` + longName(r["FileName"]), Size: size})
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	for _, r := range rows[3] {
		m.Shortcuts = append(m.Shortcuts, folders.path(r["Directory_"])+`\`+longName(r["Name"]))
	}

	streams, err := run("streams")
	if err != nil {
		return nil, err
	}
	for _, s := range strings.Split(streams, "\n") {
		// Authenticode keeps an MSI's signature in this stream.
		if strings.TrimRight(s, "\r") == "\x05DigitalSignature" {
			m.Signed = true
		}
	}
	return m, nil
}

// msiinfo runs one msiinfo command on file in dir and returns what it
// printed. msiinfo exits 0 and prints nothing but a warning when it cannot
// open the file, so no output counts as failure too.
func msiinfo(ctx context.Context, cmdPath, dir, command, file string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := proc.Command(ctx, cmdPath, append([]string{command, file}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	limitFiles(cmd.Process.Pid, maxMsiinfoOutput)
	out, readErr := io.ReadAll(io.LimitReader(stdout, maxMsiinfoOutput+1))
	if len(out) > maxMsiinfoOutput {
		cancel()
	}
	err = cmd.Wait()
	switch {
	case len(out) > maxMsiinfoOutput:
		return "", fmt.Errorf("msiinfo %s printed more than %d MiB", command, maxMsiinfoOutput>>20)
	case readErr != nil:
		return "", readErr
	case err != nil || len(bytes.TrimSpace(out)) == 0:
		why := strings.ReplaceAll(msiinfoWarning(stderr.String()), " for "+file, "")
		if why == "" && err != nil {
			why = err.Error()
		}
		return "", fmt.Errorf("msiinfo %s cannot read it as a Windows Installer database (%s); the file is damaged or not an MSI", command, why)
	}
	return string(out), nil
}

// warningPrefix is GLib's "** (msiinfo:PID): WARNING **: HH:MM:SS.mmm: ".
var warningPrefix = regexp.MustCompile(`^\*\* \([^)]*\): [A-Z]+ \*\*: (?:[0-9:.]+: )?`)

// msiinfoWarning is msiinfo's last message on stderr, without GLib's prefix.
func msiinfoWarning(s string) string {
	var last string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			last = warningPrefix.ReplaceAllString(line, "")
		}
	}
	return last
}

// idtRows parses a table as msiinfo export prints it (the IDT format):
// column names, column types and the table's keys, then one row per line,
// tab-separated.
func idtRows(out string) []map[string]string {
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	if len(lines) < 3 {
		return nil
	}
	cols := strings.Split(lines[0], "\t")
	var rows []map[string]string
	for _, line := range lines[3:] {
		if line == "" {
			continue
		}
		row := map[string]string{}
		for i, v := range strings.Split(line, "\t") {
			if i < len(cols) {
				row[cols[i]] = v
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// msiArch turns a summary template such as "x64;1033" into a Go
// architecture name.
func msiArch(template string) string {
	platform, _, _ := strings.Cut(template, ";")
	switch platform {
	case "Intel", "":
		return "386" // an empty platform means Intel
	case "x64", "AMD64":
		return "amd64"
	case "Arm64":
		return "arm64"
	case "Arm":
		return "arm"
	}
	return platform
}

// longName is the long half of a "short|long" file or folder name.
func longName(n string) string {
	if _, long, ok := strings.Cut(n, "|"); ok {
		return long
	}
	return n
}

// msiDir is a row of the Directory table.
type msiDir struct{ parent, name string }

type msiDirs map[string]msiDir

func msiFolders(rows []map[string]string) msiDirs {
	d := msiDirs{}
	for _, r := range rows {
		// DefaultDir is "target:source"; the target is where it installs.
		target, _, _ := strings.Cut(r["DefaultDir"], ":")
		d[r["Directory"]] = msiDir{parent: r["Directory_Parent"], name: longName(target)}
	}
	return d
}

// path is where folder id installs: from the standard folder it is in
// (a child of the root, such as ProgramFiles64Folder), in brackets as
// Windows Installer writes a property, then the folders below it.
func (d msiDirs) path(id string) string {
	var parts []string
	for range 64 { // a hostile table may hold a cycle
		dir, ok := d[id]
		root, rootOK := d[dir.parent]
		switch {
		case !ok || dir.parent == "" || dir.parent == id:
			return strings.Join(append([]string{"[" + id + "]"}, parts...), `\`)
		case rootOK && (root.parent == "" || root.parent == dir.parent):
			return strings.Join(append([]string{"[" + id + "]"}, parts...), `\`)
		}
		if dir.name != "." {
			parts = append([]string{dir.name}, parts...)
		}
		id = dir.parent
	}
	return strings.Join(append([]string{"[?]"}, parts...), `\`)
}
