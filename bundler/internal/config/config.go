// Package config reads bundle.yaml: strict decoding with file:line:col in
// every error, defaults as a pure function, validation of every field, and a
// JSON Schema generated from the same field rules so the two cannot drift.
//
// The struct tags below are the single source of the rules:
//
//	yaml     the key
//	doc      one-line description (JSON Schema "description", bundle init comments)
//	pattern  a regular expression a string (or each list item) must match
//	enum     allowed values, comma-separated; "@targets" and "@formats.<os>" are filled in at run time
//	hint     what a valid value looks like, said in the error when pattern or enum fails
//	required "true" when the key must be present
//	forbid   a regular expression a string (or each list item) must not match
//	unique   "true" when a list must not repeat an item
//	nonempty "true" when a list, if given, must hold at least one item
//	text     "line" (the default for every string): no control characters,
//	         line breaks, bidi overrides or invalid UTF-8; "multiline": the
//	         same, but plain newlines (LF) are allowed
//	max      the most characters (code points) a string may hold; default
//	         DefaultMaxLen (256)
//	minimum, maximum  the range of a whole number (an int field); both needed
package config

import (
	"regexp"
	"slices"
	"strings"
)

// Config is the content of bundle.yaml.
type Config struct {
	Name            string          `yaml:"name" max:"100" required:"true" pattern:"^[^ ]" hint:"a display name such as \"Hello Desktop\"" doc:"Display name of the application, on one line. At most 100 characters."`
	ID              string          `yaml:"id" pattern:"^[A-Za-z][A-Za-z0-9-]*(\\.[A-Za-z0-9][A-Za-z0-9-]*)+$" hint:"reverse DNS such as com.example.hello" doc:"Reverse-DNS identifier: macOS bundle id, AppStream id, MSI UpgradeCode seed."`
	Binary          string          `yaml:"binary" max:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9._-]*$" hint:"letters, digits, '.', '_' and '-', such as hello" doc:"File name of the executable (without .exe). Default: a slug of name."`
	Main            string          `yaml:"main" pattern:"^\\.(/.*)?$" forbid:"(\\\\|(^|/)\\.\\.(/|$))" max:"1024" hint:"a path relative to bundle.yaml that starts with ./, such as ./cmd/hello" doc:"Go main package to build, relative to bundle.yaml. Default: \".\"."`
	Version         string          `yaml:"version" pattern:"^v?(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$" hint:"a semantic version such as 1.2.3 or 1.2.3-rc.1" doc:"Release version (semver). Overridden by --version and $BUNDLE_VERSION; default: the git tag at HEAD."`
	Description     string          `yaml:"description" text:"multiline" max:"4000" doc:"Description of the application: a summary sentence, optionally followed by paragraphs separated by plain newlines. At most 4000 characters."`
	Publisher       string          `yaml:"publisher" doc:"Company or person publishing the application."`
	Maintainer      string          `yaml:"maintainer" pattern:"^[^<>]*[^<> ] <[^<>@ ]+@[^<> ]+>$" hint:"Name <email>, such as Jane Doe <jane@example.com>" doc:"Maintainer, as \"Name <email>\". Needed by Linux packages."`
	Homepage        string          `yaml:"homepage" max:"2000" pattern:"^https?://[!-~]+$" hint:"an http(s) URL such as https://example.com/hello" doc:"Project homepage URL."`
	License         string          `yaml:"license" doc:"License, as an SPDX expression such as MIT or Apache-2.0."`
	Copyright       string          `yaml:"copyright" doc:"Copyright line, such as \"© 2026 Example Corp\"."`
	Icon            string          `yaml:"icon" max:"1024" pattern:"^[^ ]" forbid:"(^/|\\\\|^[A-Za-z]:|(^|/)\\.\\.(/|$))" hint:"a path inside the project, relative to bundle.yaml, such as assets/icon.png" doc:"Square PNG icon of at least 256×256 px (1024×1024 is best), relative to bundle.yaml."`
	GUI             bool            `yaml:"gui" doc:"true for a windowed app: no console window on Windows (-H windowsgui)."`
	Targets         []string        `yaml:"targets" unique:"true" enum:"@targets" hint:"a GOOS/GOARCH pair such as linux/amd64" doc:"GOOS/GOARCH pairs to build. Default: linux, windows and darwin on amd64 and arm64."`
	Formats         Formats         `yaml:"formats" doc:"Artifact formats per operating system."`
	Build           Build           `yaml:"build" doc:"How the Go compiler is called."`
	Files           []File          `yaml:"files" doc:"Extra files shipped beside the executable."`
	SBOM            *bool           `yaml:"sbom" doc:"Write a CycloneDX SBOM (<artifact>.cdx.json) of each target's executable. Default: true."`
	Runtime         Runtime         `yaml:"runtime" doc:"The runtime hook compiled into the app: single-child worker dispatch and the self re-exec guard."`
	Windows         Windows         `yaml:"windows" doc:"Windows executables and installers."`
	Linux           Linux           `yaml:"linux" doc:"Linux packages (deb, rpm, apk, archlinux)."`
	MacOS           MacOS           `yaml:"macos" doc:"The macOS .app bundle and disk image."`
	Sign            Sign            `yaml:"sign" doc:"Signing keys. Without this section nothing is signed."`
	Notarize        Notarize        `yaml:"notarize" doc:"Notarization of signed macOS apps and disk images by Apple."`
	Update          *Update         `yaml:"update" doc:"A signed update feed written into dist, which the app's update client (runtimehooks/update) reads. Without this section no feed is written."`
	PackageManagers PackageManagers `yaml:"package_managers" doc:"Manifests for package managers (Homebrew, Scoop, winget, the AUR), written into dist and listed in artifacts.json. Each is written when its key is present, such as homebrew: {}."`
}

// PackageManagers configures the package managers' manifests.
type PackageManagers struct {
	URL      string    `yaml:"url" max:"2000" pattern:"^(https://[!-~]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?(/[!-~]*)?)$" hint:"an https URL such as https://github.com/owner/repo/releases/download/v{version}/ (http only for 127.0.0.1 or localhost)" doc:"The folder URL the release's files are downloaded from; {version} is replaced by the version. Default: update.url."`
	Homebrew *Homebrew `yaml:"homebrew" doc:"A Homebrew cask, <token>.rb: the app from the macOS dmg (else the app zip), or the executable from the tar.gz for an app without either."`
	Scoop    *Scoop    `yaml:"scoop" doc:"A Scoop manifest, <binary>.json, for the Windows zips."`
	Winget   *Winget   `yaml:"winget" doc:"A winget manifest set (schema 1.12.0: version, installer and en-US locale files) for the MSI, the NSIS installer or the zips."`
	AUR      *AUR      `yaml:"aur" doc:"An AUR -bin package: <name>.PKGBUILD and <name>.SRCINFO for the Linux tar.gz archives."`
}

// Homebrew configures the cask.
type Homebrew struct {
	Token    string `yaml:"token" max:"64" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" hint:"lower-case letters and digits joined by '-', such as hello-desktop" doc:"The cask's token and file name. Default: binary, lower-cased, with '-' for other characters."`
	Tap      string `yaml:"tap" pattern:"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$" hint:"owner/name, such as example/homebrew-tap" doc:"The tap bundle publish commits the cask to, as Casks/<token>.rb, on the forge it publishes to. Default: none (the cask stays in the release)."`
	TokenEnv string `yaml:"token_env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as TAP_GITHUB_TOKEN" doc:"Environment variable holding a token that may write the tap. Default: the publish token ($GITHUB_TOKEN or $GITEA_TOKEN), which in GitHub Actions writes only its own repository."`
}

// Scoop configures the Scoop manifest.
type Scoop struct {
	Bucket   string `yaml:"bucket" pattern:"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$" hint:"owner/name, such as example/scoop-bucket" doc:"The bucket bundle publish commits the manifest to, as bucket/<binary>.json, on the forge it publishes to. Default: none."`
	TokenEnv string `yaml:"token_env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as BUCKET_GITHUB_TOKEN" doc:"Environment variable holding a token that may write the bucket. Default: the publish token."`
}

// Winget configures the winget manifest set.
type Winget struct {
	PackageIdentifier string `yaml:"package_identifier" required:"true" max:"128" pattern:"^[^.\\s\\\\/:*?\"<>|\\x01-\\x1f]{1,32}(\\.[^.\\s\\\\/:*?\"<>|\\x01-\\x1f]{1,32}){1,7}$" hint:"Publisher.Package, such as Example.Hello" doc:"The package's identifier in winget, Publisher.Package."`
	Installer         string `yaml:"installer" enum:"msi,nsis,zip" hint:"msi, nsis or zip" doc:"Which artifact winget installs. Default: for each architecture, the MSI when the build makes one, else the NSIS installer, else the zip."`
}

// AUR configures the AUR package.
type AUR struct {
	Name   string `yaml:"name" max:"100" pattern:"^[a-z0-9@_+][a-z0-9@._+-]*$" hint:"lower-case letters, digits and @ . _ + -, such as hello-bin" doc:"The AUR package's name. Default: linux.package_name (else binary) with -bin."`
	Git    string `yaml:"git" max:"2000" pattern:"^(ssh://[!-~]+|[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[!-~]+|file:///[!-~]+)$" hint:"the package's git address, such as ssh://aur@aur.archlinux.org/hello-bin.git" doc:"The AUR git repository bundle publish commits PKGBUILD and .SRCINFO to (a plain push, never forced). Default: none."`
	KeyEnv string `yaml:"key_env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as AUR_SSH_KEY" doc:"Environment variable holding the SSH private key (its text) the push uses. Default: ssh's own keys."`
}

// Update configures the update feed: where the release's files will be
// downloaded from, and the Ed25519 (minisign) key that signs the feed.
type Update struct {
	URL         string   `yaml:"url" required:"true" max:"2000" pattern:"^(https://[!-~]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?(/[!-~]*)?)$" hint:"an https URL such as https://github.com/owner/repo/releases/download/v{version}/ (http only for 127.0.0.1 or localhost)" doc:"The folder URL the release's files are downloaded from; {version} is replaced by the version. https, or http for loopback only."`
	FeedURL     string   `yaml:"feed_url" max:"2000" pattern:"^(https://[!-~]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?(/[!-~]*)?)$" hint:"an https URL such as https://github.com/owner/repo/releases/latest/download/update-{channel}.json" doc:"Where the app reads the newest feed; {channel} is replaced by the channel. Compiled into the app as runtimehooks/update's default. Default: none (the app passes it)."`
	Channel     string   `yaml:"channel" max:"32" pattern:"^[a-z][a-z0-9-]*$" hint:"a lowercase name such as stable or beta" doc:"The feed's channel: its file is update-<channel>.json. Default: beta for a pre-release version; stable otherwise, whose release is listed in update-beta.json too."`
	PublicKeys  []string `yaml:"public_keys" required:"true" nonempty:"true" unique:"true" max:"200" pattern:"^RW[A-Za-z0-9+/]{54}$" hint:"a minisign public key such as RWQ… (the second line of a .pub file, or what bundle update keygen prints)" doc:"The minisign public keys the app trusts, compiled into it. The signing key's must be one of them; list the next key too before you rotate to it."`
	KeyEnv      string   `yaml:"key_env" required:"true" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as BUNDLE_UPDATE_KEY" doc:"Environment variable holding the minisign secret key (the text of the file bundle update keygen or minisign -G writes)."`
	PasswordEnv string   `yaml:"password_env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as BUNDLE_UPDATE_PASSWORD" doc:"Environment variable holding the secret key's password, when it is encrypted."`
	ExpiresDays int      `yaml:"expires_days" minimum:"1" maximum:"3650" hint:"a whole number of days from 1 to 3650" doc:"Days after the release time (the source time) the feed expires: a client refuses an older feed, so a stale mirror cannot hold users back forever; release (or rebuild from a newer commit) within this time. Default: 365."`
	MinVersion  string   `yaml:"min_version" pattern:"^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$" hint:"a semantic version such as 1.0.0" doc:"The lowest installed version allowed to update to this one; older ones are told to download it anew."`
	Rollout     int      `yaml:"rollout" minimum:"1" maximum:"100" hint:"a whole number from 1 to 100" doc:"Percent of installations offered this version, each deciding by a stable random number of its own. Default: 100."`
	Critical    bool     `yaml:"critical" doc:"Mark the version critical: clients are told to install it now, and a phased rollout does not hold it back."`
	DeltaFrom   string   `yaml:"delta_from" max:"4096" pattern:"^[^\\x00-\\x1f\\x7f]+$" hint:"a folder such as ../previous-dist" doc:"A folder holding the previous release's dist (its artifacts.json, update feed and archives), relative to bundle.yaml: the build writes a binary delta from each of its tar.gz, zip and app archives to this release's, and the feed offers it to copies that run that release. Default: none (no deltas)."`
}

// DefaultExpiresDays is update.expires_days when bundle.yaml says nothing.
const DefaultExpiresDays = 365

// Expiry returns update.expires_days.
func (u Update) Expiry() int {
	if u.ExpiresDays == 0 {
		return DefaultExpiresDays
	}
	return u.ExpiresDays
}

// Percent returns update.rollout.
func (u Update) Percent() int {
	if u.Rollout == 0 {
		return 100
	}
	return u.Rollout
}

// Windows configures the executable's resources and the installers.
type Windows struct {
	InstallScope    string          `yaml:"install_scope" enum:"user,machine" hint:"user or machine" doc:"Install for the current user (%LOCALAPPDATA%\\Programs, no UAC prompt; the default) or for every user (Program Files, asks for elevation)."`
	DesktopShortcut bool            `yaml:"desktop_shortcut" doc:"Installers also put a shortcut on the desktop. Default: false."`
	MSIXPublisher   string          `yaml:"msix_publisher" max:"8192" pattern:"^(CN|L|O|OU|E|C|S|STREET|T|G|I|SN|DC|SERIALNUMBER)=" hint:"a distinguished name such as CN=Example Corp, O=Example Corp, C=US" doc:"The MSIX package's Publisher, a distinguished name; with sign.windows, exactly the signing certificate's subject, which Windows checks on install. Default: that subject with sign.windows, else CN=<publisher>."`
	Manifest        WindowsManifest `yaml:"manifest" doc:"The application manifest compiled into the executable."`
}

// WindowsManifest holds the application manifest's settings.
type WindowsManifest struct {
	ExecutionLevel string `yaml:"execution_level" enum:"asInvoker,highestAvailable,requireAdministrator" hint:"asInvoker, highestAvailable or requireAdministrator" doc:"requestedExecutionLevel. Default: asInvoker."`
	DPIAwareness   string `yaml:"dpi_awareness" enum:"permonitorv2,permonitor,system,unaware" hint:"permonitorv2, permonitor, system or unaware" doc:"DPI awareness. Default: permonitorv2."`
	LongPathAware  *bool  `yaml:"long_path_aware" doc:"Paths longer than 260 characters. Default: true."`
	UTF8           *bool  `yaml:"utf8" doc:"UTF-8 as the active code page. Default: true."`
}

// MacOS configures the .app bundle.
type MacOS struct {
	MinimumSystemVersion string `yaml:"minimum_system_version" pattern:"^[0-9]+(\\.[0-9]+){0,2}$" hint:"a macOS version such as 12.0" doc:"LSMinimumSystemVersion. Default and lowest: 12.0, the oldest macOS Go 1.26 supports."`
	Universal            *bool  `yaml:"universal" doc:"Merge darwin/amd64 and darwin/arm64 into one universal binary and one darwin/universal artifact set. Default: true when both are targets."`
	Category             string `yaml:"category" pattern:"^public\\.app-category\\.[a-z-]+$" hint:"an LSApplicationCategoryType such as public.app-category.utilities" doc:"LSApplicationCategoryType. Default: public.app-category.utilities."`
	Agent                bool   `yaml:"agent" doc:"An agent app without a Dock icon or menu bar (LSUIElement), such as a tray app. Default: false."`
}

// UniversalBinary reports whether darwin targets merge into one universal
// binary.
func (c Config) UniversalBinary() bool {
	if c.MacOS.Universal != nil {
		return *c.MacOS.Universal
	}
	return slices.Contains(c.Targets, "darwin/amd64") && slices.Contains(c.Targets, "darwin/arm64")
}

// Linux configures the deb, rpm, apk and archlinux packages.
type Linux struct {
	PackageName string    `yaml:"package_name" pattern:"^[a-z0-9][a-z0-9+.-]+$" hint:"lower-case letters, digits, '+', '-' and '.', at least two characters, such as hello" doc:"Package name. Default: binary."`
	Section     string    `yaml:"section" pattern:"^[a-z0-9][a-z0-9/-]*$" hint:"a Debian section such as utils or net" doc:"Debian section. Default: utils."`
	Categories  []string  `yaml:"categories" pattern:"^[A-Za-z0-9-]+$" hint:"a freedesktop.org category such as Utility or Development" doc:"Desktop entry categories. Default: [Utility]."`
	Desktop     *bool     `yaml:"desktop" doc:"Install a desktop entry (and AppStream metadata). Default: the value of gui."`
	Depends     Relations `yaml:"depends" doc:"Packages this one needs, per format."`
	Recommends  Relations `yaml:"recommends" doc:"Packages recommended beside this one, per format."`
	Conflicts   Relations `yaml:"conflicts" doc:"Packages that cannot be installed with this one, per format."`
	Replaces    Relations `yaml:"replaces" doc:"Packages this one replaces, per format."`
	Scripts     Scripts   `yaml:"scripts" doc:"Maintainer scripts, paths relative to bundle.yaml."`
}

// DesktopEntry reports whether packages install a desktop entry.
func (l Linux) DesktopEntry(gui bool) bool {
	if l.Desktop != nil {
		return *l.Desktop
	}
	return gui
}

// Relations lists package relations in each format's own syntax.
type Relations struct {
	Deb       []string `yaml:"deb" pattern:"^[a-z0-9][a-z0-9+.-]+( \\((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\\))?( \\| [a-z0-9][a-z0-9+.-]+( \\((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\\))?)*$" hint:"a Debian relation such as libc6 (>= 2.31) or a | b" doc:"deb relations."`
	RPM       []string `yaml:"rpm" pattern:"^[A-Za-z0-9_.+()/-]+( (<|<=|=|>=|>) [A-Za-z0-9.+~^_:-]+)?$" hint:"an RPM relation such as glibc >= 2.31" doc:"rpm relations."`
	APK       []string `yaml:"apk" pattern:"^[A-Za-z0-9_.+-]+((<|<=|=|>=|>|~)[A-Za-z0-9._-]+)?$" hint:"an apk relation such as musl>=1.2" doc:"apk relations."`
	Archlinux []string `yaml:"archlinux" pattern:"^[a-z0-9@._+-]+((<|<=|=|>=|>)[A-Za-z0-9.:_+-]+)?$" hint:"a pacman relation such as glibc>=2.31" doc:"archlinux relations."`
}

// Scripts are maintainer scripts run by the package manager.
type Scripts struct {
	PreInstall  string `yaml:"preinstall" max:"1024" pattern:"^[^ ]" forbid:"(^/|\\\\|^[A-Za-z]:|(^|/)\\.\\.(/|$))" hint:"a shell script inside the project, such as packaging/preinstall.sh" doc:"Script run before installation."`
	PostInstall string `yaml:"postinstall" max:"1024" pattern:"^[^ ]" forbid:"(^/|\\\\|^[A-Za-z]:|(^|/)\\.\\.(/|$))" hint:"a shell script inside the project, such as packaging/postinstall.sh" doc:"Script run after installation."`
	PreRemove   string `yaml:"preremove" max:"1024" pattern:"^[^ ]" forbid:"(^/|\\\\|^[A-Za-z]:|(^|/)\\.\\.(/|$))" hint:"a shell script inside the project, such as packaging/preremove.sh" doc:"Script run before removal."`
	PostRemove  string `yaml:"postremove" max:"1024" pattern:"^[^ ]" forbid:"(^/|\\\\|^[A-Za-z]:|(^|/)\\.\\.(/|$))" hint:"a shell script inside the project, such as packaging/postremove.sh" doc:"Script run after removal."`
}

// Sign holds signing keys. Secrets never appear in bundle.yaml: each is
// named by the environment variable that holds it.
type Sign struct {
	GPG     *GPG         `yaml:"gpg" doc:"OpenPGP key that signs deb and rpm packages."`
	APK     *APKKey      `yaml:"apk" doc:"RSA key that signs apk packages (Alpine signs with RSA, not OpenPGP)."`
	Windows *WindowsSign `yaml:"windows" doc:"Authenticode certificate that signs executables and installers (osslsigncode)."`
	MacOS   *MacOSSign   `yaml:"macos" doc:"Developer ID Application certificate that signs every darwin executable and the .app, from any OS."`
}

// MacOSSign is an Apple Developer ID Application certificate.
type MacOSSign struct {
	P12File         string `yaml:"p12_file" max:"1024" required:"true" pattern:"^[^ ]" hint:"the path of a .p12 file, such as keys/developer-id.p12" doc:"PKCS#12 file with the Developer ID Application certificate and its key (exported from Keychain Access), relative to bundle.yaml (keep it out of version control)."`
	PasswordEnv     string `yaml:"password_env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as MACOS_P12_PASSWORD" doc:"Environment variable holding the .p12 password."`
	Identity        string `yaml:"identity" max:"200" hint:"the certificate's name or team id, such as Developer ID Application: Example Ltd (AB12CD34EF)" doc:"What the certificate must be: its common name, or a part of it such as the team id. The build stops if the .p12 holds another certificate. Default: any."`
	Entitlements    string `yaml:"entitlements" max:"1024" pattern:"^[^ ]" forbid:"(^/|\\\\|^[A-Za-z]:|(^|/)\\.\\.(/|$))" hint:"a plist inside the project, such as packaging/entitlements.plist" doc:"XML plist of entitlements to sign with, relative to bundle.yaml. Default: none."`
	HardenedRuntime *bool  `yaml:"hardened_runtime" doc:"Sign with the hardened runtime, which notarization requires. Default: true."`
	TimestampURL    string `yaml:"timestamp_url" max:"2000" pattern:"^https?://[!-~]+$" hint:"an RFC 3161 time-stamping URL such as http://timestamp.apple.com/ts01" doc:"RFC 3161 server for a secure timestamp on each signature. Default: Apple's when notarizing (notarization requires one), none otherwise (the build then stays offline and reproducible)."`
}

// Notarize says how to reach Apple's notary service.
type Notarize struct {
	MacOS *MacOSNotarize `yaml:"macos" doc:"App Store Connect API key for the notary service. Each value falls back to an environment variable; without a key the build signs and does not notarize."`
}

// Environment variables the notary credentials fall back to.
const (
	NotaryIssuerEnv = "APPLE_NOTARY_ISSUER_ID"
	NotaryKeyIDEnv  = "APPLE_NOTARY_KEY_ID"
	NotaryKeyEnv    = "APPLE_NOTARY_KEY"
)

// MacOSNotarize is an App Store Connect API key.
type MacOSNotarize struct {
	IssuerID string `yaml:"issuer_id" pattern:"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$" hint:"the issuer id shown above your App Store Connect API keys, a UUID" doc:"Issuer id of the API key. Default: $APPLE_NOTARY_ISSUER_ID."`
	KeyID    string `yaml:"key_id" pattern:"^[A-Z0-9]{10}$" hint:"the key's 10-character id, such as ABC123DEFG" doc:"Id of the API key. Default: $APPLE_NOTARY_KEY_ID."`
	KeyFile  string `yaml:"key_file" max:"1024" pattern:"^[^ ]" hint:"the path of the key, such as keys/AuthKey_ABC123DEFG.p8" doc:"The API key (AuthKey_<key id>.p8), relative to bundle.yaml (keep it out of version control). Default: the text of the key in key_env."`
	KeyEnv   string `yaml:"key_env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as APPLE_NOTARY_KEY" doc:"Environment variable holding the text of the .p8 key, as CI secrets do. Default: APPLE_NOTARY_KEY."`
	Timeout  string `yaml:"timeout" pattern:"^[0-9]+(s|m|h)$" hint:"a duration such as 30m" doc:"How long to wait for Apple's verdict. Default: 30m."`
}

// Hardened reports whether executables are signed with the hardened runtime.
func (m MacOSSign) Hardened() bool { return m.HardenedRuntime == nil || *m.HardenedRuntime }

// APKKey is the RSA key Alpine packages are signed with.
type APKKey struct {
	KeyFile       string `yaml:"key_file" max:"1024" required:"true" pattern:"^[^ ]" hint:"the path of a PEM RSA private key, such as keys/apk.rsa" doc:"PEM RSA private key, relative to bundle.yaml (keep it out of version control)."`
	PassphraseEnv string `yaml:"passphrase_env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as APK_KEY_PASSPHRASE" doc:"Environment variable holding the key's passphrase, when it has one."`
	KeyName       string `yaml:"key_name" pattern:"^[A-Za-z0-9@._+-]+\\.rsa\\.pub$" hint:"the public key's file name in /etc/apk/keys, such as builds@example.com.rsa.pub" doc:"Name of the public key in /etc/apk/keys. Default: <maintainer email>.rsa.pub."`
}

// WindowsSign is an Authenticode code-signing certificate.
type WindowsSign struct {
	PFXFile      string `yaml:"pfx_file" max:"1024" required:"true" pattern:"^[^ ]" hint:"the path of a .pfx/.p12 file, such as keys/codesign.pfx" doc:"PKCS#12 file with the certificate and key, relative to bundle.yaml (keep it out of version control)."`
	PasswordEnv  string `yaml:"password_env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as PFX_PASSWORD" doc:"Environment variable holding the PFX password."`
	TimestampURL string `yaml:"timestamp_url" max:"2000" pattern:"^https?://[!-~]+$" hint:"an RFC 3161 time-stamping URL such as http://timestamp.digicert.com" doc:"RFC 3161 time-stamping server. Default: none."`
}

// GPG is an OpenPGP signing key.
type GPG struct {
	KeyFile       string `yaml:"key_file" max:"1024" required:"true" pattern:"^[^ ]" hint:"the path of an armored secret key, such as keys/signing.asc" doc:"Armored OpenPGP secret key file, relative to bundle.yaml (keep it out of version control)."`
	PassphraseEnv string `yaml:"passphrase_env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" hint:"an environment variable name such as GPG_PASSPHRASE" doc:"Environment variable holding the key's passphrase."`
}

// Runtime configures the runtime hook (runtimehooks/worker).
type Runtime struct {
	Hook  *bool  `yaml:"hook" doc:"Compile the runtime hook into the app. Default: true."`
	Guard string `yaml:"guard" enum:"chain,refuse,warn,off" hint:"chain, refuse, warn or off" doc:"What a copy of the app started by the app itself without a worker assignment does: chain (the default: a copy runs, but a copy of a copy making the same call, the same arguments in the same folder, runs only as a restart, after its starter exited, so a naive relaunch cannot multiply whatever its timing), refuse (exit 77, however it was started), warn (run, with a warning) or off."`
	Grace string `yaml:"grace" pattern:"^[0-9]+(ms|s|m)$" hint:"a duration such as 5s or 500ms" doc:"How long a worker may take to stop before it is killed. Default: 5s."`
	// MaxProcs is a pointer so that the default can be told from a value.
	MaxProcs *int `yaml:"max_procs" minimum:"2" maximum:"4096" hint:"a whole number from 2 to 4096" doc:"The most live copies of the app below one process the user started (its workers included); four times as many processes of the app in all. In every guard mode but off. Default: 64."`
}

// DefaultMaxProcs is runtime.max_procs when bundle.yaml says nothing: the
// guard's own default.
const DefaultMaxProcs = 64

// Procs returns runtime.max_procs.
func (r Runtime) Procs() int {
	if r.MaxProcs == nil {
		return DefaultMaxProcs
	}
	return *r.MaxProcs
}

// HookEnabled reports whether the runtime hook is compiled in.
func (r Runtime) HookEnabled() bool { return r.Hook == nil || *r.Hook }

// WantsSBOM reports whether each target gets a CycloneDX SBOM.
func (c Config) WantsSBOM() bool { return c.SBOM == nil || *c.SBOM }

// UsesOS reports whether any target is for goos.
func (c Config) UsesOS(goos string) bool {
	for _, t := range c.Targets {
		if strings.HasPrefix(t, goos+"/") {
			return true
		}
	}
	return false
}

// Formats lists the artifact formats to make for each operating system.
type Formats struct {
	Linux   []string `yaml:"linux" unique:"true" nonempty:"true" enum:"@formats.linux" hint:"a format for this OS" doc:"Formats for linux targets. Default: [tar.gz]."`
	Windows []string `yaml:"windows" unique:"true" nonempty:"true" enum:"@formats.windows" hint:"a format for this OS" doc:"Formats for windows targets. Default: [zip]."`
	Darwin  []string `yaml:"darwin" unique:"true" nonempty:"true" enum:"@formats.darwin" hint:"a format for this OS" doc:"Formats for darwin targets. Default: [tar.gz]."`
}

// ForOS returns the formats configured for goos.
func (f Formats) ForOS(goos string) []string {
	switch goos {
	case "linux":
		return f.Linux
	case "windows":
		return f.Windows
	case "darwin":
		return f.Darwin
	}
	return nil
}

// Build holds the go build settings.
type Build struct {
	Flags      []string `yaml:"flags" max:"4096" pattern:"^-[a-z]" forbid:"^--?(o|ldflags|tags)(=|$)" hint:"a go build flag such as -race or -mod=vendor (not -o, -ldflags or -tags: use ldflags: and tags:)" doc:"Extra go build flags."`
	Ldflags    []string `yaml:"ldflags" max:"4096" pattern:"^[^ ]" hint:"a linker flag such as -X=main.commit=abc" doc:"Extra linker flags, appended to -s -w -buildid=."`
	Tags       []string `yaml:"tags" pattern:"^[A-Za-z0-9_.]+$" hint:"a build tag such as netgo" doc:"Build tags."`
	Env        []string `yaml:"env" max:"4096" pattern:"^[A-Za-z_][A-Za-z0-9_]*=" hint:"KEY=VALUE such as CGO_ENABLED=1" doc:"Environment for go build (KEY=VALUE). CGO_ENABLED=0 unless set here or in the environment."`
	VersionVar string   `yaml:"version_var" pattern:"^([A-Za-z0-9_.~/-]+\\.)?[A-Za-z_][A-Za-z0-9_]*$" hint:"a package-qualified variable such as main.version" doc:"String variable set to the version with -X, such as main.version. Default: none."`
	// VersionFormat is a prefix and suffix around one placeholder, not a
	// template: the value goes into -ldflags, where a space would split it.
	VersionFormat string `yaml:"version_format" pattern:"^[A-Za-z0-9._+~-]*\\{\\{ ?\\.Version ?\\}\\}[A-Za-z0-9._+~-]*$" hint:"the version's placeholder with what goes around it, such as v{{.Version}}" doc:"How the value version_var is set to is written: {{.Version}} is the semantic version without a v (1.2.3), with letters, digits and ._+~- around it. Default: {{.Version}}; v{{.Version}} for a program that checks for a v, as syncthing does."`
}

// versionPlaceholder is {{.Version}} in build.version_format.
var versionPlaceholder = regexp.MustCompile(`\{\{ ?\.Version ?\}\}`)

// VersionValue returns what build.version_var is set to for version (a
// semantic version without a v).
func (b Build) VersionValue(version string) string {
	if b.VersionFormat == "" {
		return version
	}
	return versionPlaceholder.ReplaceAllLiteralString(b.VersionFormat, version)
}

// File is one extra file or directory shipped beside the executable.
type File struct {
	Src string `yaml:"src" max:"1024" required:"true" pattern:"^[^ ]" forbid:"(^/|\\\\|^[A-Za-z]:|(^|/)\\.\\.(/|$))" hint:"a path inside the project, relative to bundle.yaml, such as LICENSE" doc:"Path relative to bundle.yaml (a file or a directory)."`
	Dst string `yaml:"dst" max:"1024" pattern:"^[^ ]" forbid:"(^/|\\\\|^[A-Za-z]:|(^|/)\\.\\.(/|$))" hint:"a relative path inside the app, such as LICENSE or docs/README.md" doc:"Path inside the app directory. Default: the base name of src. A manual page given as share/man/manN/NAME.N is installed by Linux packages, gzipped, as /usr/share/man/manN/NAME.N.gz."`
}
