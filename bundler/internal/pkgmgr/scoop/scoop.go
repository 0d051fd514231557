// Package scoop writes a Scoop manifest (github.com/ScoopInstaller/Scoop,
// schema.json) for the Windows zips: one download per architecture, each
// unpacked from its folder, with the executable on the PATH.
package scoop

import (
	"bytes"
	"encoding/json"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/templates/text"
)

// Format is the manifest's format in artifacts.json.
const Format = "scoop-manifest"

// Manager is the Scoop manifest writer.
type Manager struct{}

func (Manager) Name() string                { return "scoop" }
func (Manager) Formats() []string           { return []string{Format} }
func (Manager) OS() string                  { return "windows" }
func (Manager) Wanted(c config.Config) bool { return c.PackageManagers.Scoop != nil }
func (Manager) CheckConfig(p *config.Project) error {
	if err := pkgmgr.CheckBase(p); err != nil {
		return err
	}
	switch {
	case p.Config.Homepage == "":
		return p.Errorf("homepage", "a Scoop manifest needs the app's homepage; add homepage: such as https://example.com/%s", p.Config.Binary)
	case p.Config.License == "":
		return p.Errorf("license", "a Scoop manifest needs the app's license; add license: with its SPDX name, such as MIT")
	}
	return nil
}

// manifest is Scoop's manifest, in the order Scoop's own manifests use.
type manifest struct {
	Version      string              `json:"version"`
	Description  string              `json:"description,omitempty"`
	Homepage     string              `json:"homepage"`
	License      string              `json:"license"`
	Architecture map[string]download `json:"architecture"`
	Bin          string              `json:"bin"`
}

type download struct {
	URL        string `json:"url"`
	Hash       string `json:"hash"`
	ExtractDir string `json:"extract_dir"`
}

// scoopArch is Scoop's name of each Windows architecture bundle builds.
var scoopArch = map[string]string{"amd64": "64bit", "386": "32bit", "arm64": "arm64"}

func (Manager) Write(in pkgmgr.Input) ([]pkgmgr.File, error) {
	c := in.Config
	m := manifest{Version: in.Version.String(), Description: text.Synopsis(c.Description), Homepage: c.Homepage,
		License: text.Line(c.License), Architecture: map[string]download{}, Bin: c.Binary + ".exe"}
	for _, a := range in.Find("windows", "zip") {
		if arch, ok := scoopArch[a.Arch]; ok {
			m.Architecture[arch] = download{URL: in.URL(a), Hash: a.SHA256, ExtractDir: pkgmgr.Folder(a)}
		}
	}
	if len(m.Architecture) == 0 {
		return nil, pkgmgr.Missing("the Windows zip")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return []pkgmgr.File{{Name: c.Binary + ".json", Format: Format, OS: "windows", Data: b.Bytes()}}, nil
}
