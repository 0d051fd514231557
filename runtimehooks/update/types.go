package update

import "github.com/bundlekit/bundle/runtimehooks/update/feed"

// The feed's layout lives in package feed, which bundle shares; these
// names let an app use this package alone.
type (
	Feed      = feed.Feed
	File      = feed.File
	Kind      = feed.Kind
	Version   = feed.Version
	PublicKey = feed.PublicKey
)

// Install kinds.
const (
	Portable  = feed.Portable
	App       = feed.App
	NSIS      = feed.NSIS
	MSI       = feed.MSI
	Deb       = feed.Deb
	RPM       = feed.RPM
	APK       = feed.APK
	ArchLinux = feed.ArchLinux
)

// FeedFormat is the feed layout's version this client reads.
const FeedFormat = feed.FeedFormat

// ErrBadSignature is VerifySignature's error for a signature that does not
// verify.
var ErrBadSignature = feed.ErrBadSignature

// ErrInsecure is the error for a URL that is not https.
var ErrInsecure = feed.ErrInsecure

// ParseFeed decodes a feed and checks its shape, not its signature.
func ParseFeed(data []byte) (*Feed, error) { return feed.ParseFeed(data) }

// ParseVersion reads a semantic version.
func ParseVersion(s string) (Version, error) { return feed.ParseVersion(s) }

// ParsePublicKey reads a minisign public key.
func ParsePublicKey(text string) (PublicKey, error) { return feed.ParsePublicKey(text) }

// VerifySignature checks that sig signs data with one of keys.
func VerifySignature(data, sig []byte, keys []PublicKey) (PublicKey, error) {
	return feed.VerifySignature(data, sig, keys)
}

func checkURL(raw string) error { return feed.CheckURL(raw) }
