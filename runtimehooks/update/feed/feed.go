package feed

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// FeedFormat is the version of the feed's layout this package reads and
// bundle writes; a feed of another layout is refused, never guessed at.
const FeedFormat = 1

// Feed is update-<channel>.json: one version of an app, on one channel,
// with a file for each OS, architecture and install kind. bundle build
// writes it and signs it after every file it lists is code-signed,
// notarized and stapled, so the hashes are those of the files users get.
type Feed struct {
	Format     int       `json:"format"`
	App        string    `json:"app"`
	Channel    string    `json:"channel"`
	Version    string    `json:"version"`
	Released   time.Time `json:"released"`
	Expires    time.Time `json:"expires"`
	MinVersion string    `json:"min_version,omitempty"` // the lowest installed version that may update to this one
	Critical   bool      `json:"critical,omitempty"`
	Rollout    int       `json:"rollout"` // percent of installations offered this version
	Files      []File    `json:"files"`
}

// File is one downloadable file of the release.
type File struct {
	OS     string `json:"os"`
	Arch   string `json:"arch"` // a GOARCH, or "universal" for a macOS universal binary
	Kind   Kind   `json:"kind"`
	Format string `json:"format"` // bundle's format name: tar.gz, zip, app, nsis, msi, deb, …
	Name   string `json:"name"`
	URL    string `json:"url"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Delta  *Delta `json:"delta,omitempty"` // a delta from the previous release, when there is one
}

// Delta is a binary delta (runtimehooks/update/delta) that makes a
// File's version from an installed copy of the release before it: a
// client that runs From downloads it instead of the whole file.
type Delta struct {
	From   string `json:"from"` // the version it applies to
	Name   string `json:"name"`
	URL    string `json:"url"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Kind says how a file installs the app, and so how an installed app of
// that kind is updated.
type Kind string

const (
	Portable  Kind = "portable"  // an archive of the app's folder: the folder is replaced
	App       Kind = "app"       // a zipped macOS .app bundle: the bundle is replaced
	NSIS      Kind = "nsis"      // a Windows installer, run silently
	MSI       Kind = "msi"       // a Windows Installer package, run silently
	Deb       Kind = "deb"       // owned by a package manager: never overwritten
	RPM       Kind = "rpm"       //
	APK       Kind = "apk"       //
	ArchLinux Kind = "archlinux" //
)

// Managed reports whether a package manager owns what this kind installs:
// the client never overwrites such an install and names the manager.
func (k Kind) Managed() bool {
	switch k {
	case Deb, RPM, APK, ArchLinux:
		return true
	}
	return false
}

// Manager is the command that updates an install of this kind, or "".
func (k Kind) Manager() string {
	switch k {
	case Deb:
		return "apt (or dpkg -i)"
	case RPM:
		return "dnf (or rpm -U)"
	case APK:
		return "apk upgrade"
	case ArchLinux:
		return "pacman -U"
	}
	return ""
}

// ParseFeed decodes a feed and checks its shape. It does not check its
// signature: VerifySignature does, and a client trusts a feed only after
// it.
func ParseFeed(data []byte) (*Feed, error) {
	var f Feed
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("update feed: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("update feed: data after the feed")
	}
	if f.Format != FeedFormat {
		return nil, fmt.Errorf("update feed: format %d, this client reads format %d", f.Format, FeedFormat)
	}
	if _, err := ParseVersion(f.Version); err != nil {
		return nil, fmt.Errorf("update feed: %w", err)
	}
	if f.MinVersion != "" {
		if _, err := ParseVersion(f.MinVersion); err != nil {
			return nil, fmt.Errorf("update feed: min_version: %w", err)
		}
	}
	if f.Rollout < 1 || f.Rollout > 100 {
		return nil, fmt.Errorf("update feed: rollout %d is not a percentage from 1 to 100", f.Rollout)
	}
	if !f.Expires.After(f.Released) {
		return nil, fmt.Errorf("update feed: expires %s is not after released %s", f.Expires.Format(time.RFC3339), f.Released.Format(time.RFC3339))
	}
	for _, file := range f.Files {
		if err := checkFile(file.Name, file.URL, file.SHA256, file.Size); err != nil {
			return nil, err
		}
		if d := file.Delta; d != nil {
			if _, err := ParseVersion(d.From); err != nil {
				return nil, fmt.Errorf("update feed: %s: delta from: %w", file.Name, err)
			}
			if err := checkFile(d.Name, d.URL, d.SHA256, d.Size); err != nil {
				return nil, err
			}
		}
	}
	return &f, nil
}

// checkFile checks what the feed says of one file it lists.
func checkFile(name, url, sum string, size int64) error {
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
		return fmt.Errorf("update feed: file name %q is not a plain file name", name)
	}
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return fmt.Errorf("update feed: %s: sha256 %q is not 64 lowercase hex digits", name, sum)
	}
	if size <= 0 {
		return fmt.Errorf("update feed: %s: size %d", name, size)
	}
	if err := CheckURL(url); err != nil {
		return fmt.Errorf("update feed: %s: %w", name, err)
	}
	return nil
}

// Marshal encodes the feed as bundle writes it: indented, ending in a
// newline, so the signed bytes are the same on every build.
func (f *Feed) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("update feed: %w", err)
	}
	return append(data, '\n'), nil
}
