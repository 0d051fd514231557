package bundler

import (
	"io"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/doctor"
	"github.com/bundlekit/bundle/bundler/internal/scaffold"
)

// InitResult is what Init detected in the module and wrote into
// bundle.yaml.
type InitResult struct {
	Name   string // the display name
	ID     string // the reverse-DNS identifier
	Binary string // the executable's file name, without .exe
	Main   string // the main package, relative to bundle.yaml
	// Description is a summary line, then optionally more text; when
	// none was found it is a TODO line and NoDescription is set.
	Description   string
	NoDescription bool
	Targets       []string
	OtherMains    []string // the module's other main packages
	License       License  // zero when the project has no license file
	ManPages      []File   // the manual pages found, as entries of files:
	VersionVar    string   // for build.version_var, "" when none was found
	VersionFormat string   // for build.version_format, "" for the plain version
	FormatWhy     string   // why VersionFormat, for the comment
	Tags          []string // build.tags the app needs to build without generated files
	TagsWhy       string   // why Tags, for the comment
}

// License is the license file Init found.
type License struct {
	File      string // its name in the project root, such as LICENSE
	SPDX      string // SPDX expression, "" when the text is not recognised
	Copyright string // "© 2013-2024 Jane Doe", "" when the file names no holder
}

// File is one entry of bundle.yaml's files: a file or folder shipped
// beside the executable.
type File struct {
	Src string // relative to bundle.yaml
	Dst string // inside the app; "" means the base name of Src
}

func initResultOf(p scaffold.Project) InitResult {
	return InitResult{
		Name:          p.Name,
		ID:            p.ID,
		Binary:        p.Binary,
		Main:          p.Main,
		Description:   p.Description,
		NoDescription: p.NoDescription,
		Targets:       p.Targets,
		OtherMains:    p.OtherMains,
		License:       License(p.License),
		ManPages:      convertAll(p.ManPages, func(f config.File) File { return File(f) }),
		VersionVar:    p.VersionVar,
		VersionFormat: p.VersionFormat,
		FormatWhy:     p.FormatWhy,
		Tags:          p.Tags,
		TagsWhy:       p.TagsWhy,
	}
}

// Gitignore is what IgnoreDist did to the project's .gitignore.
type Gitignore struct {
	Path   string // the project's .gitignore
	Change string // GitignoreWritten, GitignoreExtended, or "" when nothing changed
	// Refused says why a .gitignore that does not ignore dist was left as
	// it is: it is a link, or not a regular file.
	Refused string
}

// What IgnoreDist did, as Gitignore.Change says.
const (
	GitignoreWritten  = "written"  // a new .gitignore holding /dist/
	GitignoreExtended = "extended" // /dist/ appended to the project's own
)

// ToolCheck is one external tool: found or missing, and how to install it.
type ToolCheck struct {
	Name     string   `json:"name"`
	Command  string   `json:"command"`
	NeededBy []string `json:"needed_by"` // the formats and steps that run it
	Required bool     `json:"required"`  // false: the build works without it
	Found    bool     `json:"found"`
	Path     string   `json:"path,omitempty"`
	Version  string   `json:"version,omitempty"`
	Install  string   `json:"install"` // how to install it
}

func toolChecksOf(cs []doctor.Check) []ToolCheck {
	return convertAll(cs, func(c doctor.Check) ToolCheck {
		return ToolCheck{
			Name:     c.Name,
			Command:  c.Command,
			NeededBy: c.NeededBy,
			Required: c.Required,
			Found:    c.Found,
			Path:     c.Path,
			Version:  c.Version,
			Install:  c.Install,
		}
	})
}

// VerifyOptions say what Verify runs and how long it watches.
type VerifyOptions struct {
	Path     string        // the program, for this machine's OS
	Args     []string      // its arguments
	Watch    time.Duration // how long to watch; the check ends early when the tree is gone
	Interval time.Duration // time between samples; 0 means 50ms
	Grace    time.Duration // after Watch: how long the program gets to exit after SIGTERM before the tree is killed
	Stdout   io.Writer     // the program's standard output; nil discards it
	Stderr   io.Writer     // the program's standard error; nil discards it
}

// VerifyReport is what Verify saw.
type VerifyReport struct {
	MaxProcs int           // the most processes alive at once, the program included
	Distinct int           // processes seen over the whole watch
	Samples  int           // samples taken
	Elapsed  time.Duration // from start to the end of the watch
	Exited   bool          // the program ended by itself during the watch
	ExitCode int           // its exit code when Exited (-1 when a signal ended it)
	Killed   int           // processes still alive after the grace period, killed
}
