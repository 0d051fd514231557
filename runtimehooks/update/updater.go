package update

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Config says where the feed is and what the app trusts. bundle build
// compiles defaults in (from update: in bundle.yaml) for every field it
// knows; a field set here wins.
type Config struct {
	FeedURL    string   // the feed's URL; its signature is at the same URL with .minisig added to the path
	PublicKeys []string // minisign public keys the app trusts
	App        string   // the app's name: a feed for another app is refused
	Version    string   // the running version
	Channel    string   // the channel the app follows; the feed must say the same
	Kind       Kind     // how this copy is installed; "" means Detect
	// StateDir holds what the updater remembers (the newest feed seen per
	// channel, the install's rollout number) and its downloads. Default: a
	// folder named after the app in os.UserCacheDir.
	StateDir string
	// AllowDowngrade lets a feed offer a lower version than the running
	// one (a rollback published on purpose).
	AllowDowngrade bool
	// HTTPClient is used with its redirects checked as the first URL is
	// (https, or http to loopback). Default: 30 s to connect, 60 s for the
	// headers, and a download that stalls for 60 s fails.
	HTTPClient *http.Client
	Now        func() time.Time // default: time.Now
	OS, Arch   string           // default: runtime.GOOS and runtime.GOARCH
}

// Sentinel errors, for an app that handles one case its own way. Every
// refusal of Check wraps one of them and says what was found.
var (
	ErrSignature = errors.New("the feed's signature does not verify")
	ErrExpired   = errors.New("the feed has expired")
	ErrReplay    = errors.New("the feed is older than one already seen")
	ErrDowngrade = errors.New("the feed offers an older version")
	ErrNoFile    = errors.New("the feed has no file for this system")
	ErrManaged   = errors.New("a package manager owns this install")
	ErrTooOld    = errors.New("the running version is too old to update in place")
	ErrCorrupt   = errors.New("the download does not match the feed")
	ErrOtherFeed = errors.New("the feed is for another app or channel")
	ErrFuture    = errors.New("the feed's release time is in the future")
)

// maxSkew is how far in the future a feed's release time may lie: a clock
// a little behind is no reason to refuse, a feed from the future is (its
// time would make every later feed look like a replay).
const maxSkew = 24 * time.Hour

// stallTimeout ends a download that receives nothing for this long.
const stallTimeout = 60 * time.Second

// Updater checks for, fetches and installs updates.
type Updater struct {
	c       Config
	keys    []PublicKey
	current Version
	running string // the running version as given, build metadata included
}

// New checks c, filling in the defaults bundle build compiled in.
func New(c Config) (*Updater, error) {
	if c.FeedURL == "" {
		c.FeedURL = builtFeedURL
	}
	if len(c.PublicKeys) == 0 && builtKeys != "" {
		c.PublicKeys = strings.Split(builtKeys, ",")
	}
	if c.App == "" {
		c.App, _ = url.QueryUnescape(builtApp) // bundle escapes it (see built.go)
	}
	if c.Version == "" {
		c.Version = builtVersion
	} else if builtVersion == "" {
		configuredVersion.Store(&c.Version)
	}
	if c.Channel == "" {
		c.Channel = builtChannel
	}
	if c.OS == "" {
		c.OS = runtime.GOOS
	}
	if c.Arch == "" {
		c.Arch = runtime.GOARCH
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.HTTPClient = checkedClient(c.HTTPClient)
	if c.FeedURL == "" {
		return nil, errors.New("update: no feed URL: set update.feed_url in bundle.yaml or Config.FeedURL")
	}
	if err := checkURL(c.FeedURL); err != nil {
		return nil, fmt.Errorf("update: feed %w", err)
	}
	if len(c.PublicKeys) == 0 {
		return nil, errors.New("update: no public key: set update.public_keys in bundle.yaml or Config.PublicKeys")
	}
	u := &Updater{c: c, running: c.Version}
	for _, k := range c.PublicKeys {
		key, err := ParsePublicKey(k)
		if err != nil {
			return nil, fmt.Errorf("update: %w", err)
		}
		u.keys = append(u.keys, key)
	}
	v, err := ParseVersion(c.Version)
	if err != nil {
		return nil, fmt.Errorf("update: the running version: %w (bundle build sets it; set Config.Version under go run)", err)
	}
	u.current = v
	if u.c.StateDir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("update: no state folder: %w", err)
		}
		name := c.App
		if name == "" {
			exe, err := os.Executable()
			if err != nil {
				return nil, fmt.Errorf("update: no state folder: %w; set Config.StateDir", err)
			}
			name = strings.TrimSuffix(filepath.Base(exe), ".exe")
		}
		u.c.StateDir = filepath.Join(cache, name+"-update")
	}
	return u, nil
}

// checkedClient returns a copy of c (or a default client) whose redirects
// are held to checkURL, as the first request is.
func checkedClient(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	} else {
		out.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
		}
	}
	next := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkURL(req.URL.String()); err != nil {
			return fmt.Errorf("redirected: %w", err)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &out
}

// Available is an update the feed offers this install.
type Available struct {
	Feed     *Feed
	File     File // the file for this OS, architecture and install kind
	Critical bool // install now: the publisher marked it so

	deltaPath string // where Download put File's delta, when it took it
}

// Version is the offered version.
func (a *Available) Version() string { return a.Feed.Version }

// maxFeed bounds what is read of a feed and its signature: a hostile
// server cannot fill memory.
const maxFeed, maxSignature = 4 << 20, 4 << 10

// Check fetches and verifies the feed. It returns nil, nil when the
// running version is current, when a phased rollout has not reached this
// install yet (a critical update is never held back), or when the offered
// version was rolled back here before.
func (u *Updater) Check(ctx context.Context) (*Available, error) {
	data, err := u.get(ctx, u.c.FeedURL, maxFeed)
	if err != nil {
		return nil, err
	}
	sigURL, err := signatureURL(u.c.FeedURL)
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	sig, err := u.get(ctx, sigURL, maxSignature)
	if err != nil {
		return nil, err
	}
	if _, err := VerifySignature(data, sig, u.keys); err != nil {
		return nil, fmt.Errorf("update: feed %s: %w: %w", u.c.FeedURL, ErrSignature, err)
	}
	f, err := ParseFeed(data)
	if err != nil {
		return nil, err
	}
	now := u.c.Now()
	if u.c.App != "" && f.App != u.c.App {
		return nil, fmt.Errorf("update: %w: it is %q's, this is %q", ErrOtherFeed, f.App, u.c.App)
	}
	if u.c.Channel != "" && f.Channel != u.c.Channel {
		return nil, fmt.Errorf("update: %w: it is for channel %q, this app follows %q", ErrOtherFeed, f.Channel, u.c.Channel)
	}
	if !now.Before(f.Expires) {
		return nil, fmt.Errorf("update: %w: it expired on %s (the server holds a stale copy, or no release was made since)", ErrExpired, f.Expires.Format(time.RFC3339))
	}
	if f.Released.After(now.Add(maxSkew)) {
		return nil, fmt.Errorf("update: %w: %s (check this machine's clock, or the build's SOURCE_DATE_EPOCH)", ErrFuture, f.Released.Format(time.RFC3339))
	}
	st, err := u.loadState(f.Channel)
	if err != nil {
		return nil, err
	}
	if f.Released.Before(st.Released) {
		return nil, fmt.Errorf("update: %w: released %s, but one released %s was seen (a replay, or a stale mirror)", ErrReplay, f.Released.Format(time.RFC3339), st.Released.Format(time.RFC3339))
	}
	offered, _ := ParseVersion(f.Version) // ParseFeed checked it
	switch c := offered.Compare(u.current); {
	case c < 0 && !u.c.AllowDowngrade:
		return nil, fmt.Errorf("update: %w: %s is older than the running %s", ErrDowngrade, f.Version, u.current)
	case c == 0:
		return nil, u.remember(st, f)
	}
	if f.MinVersion != "" {
		if lowest, _ := ParseVersion(f.MinVersion); u.current.Compare(lowest) < 0 {
			return nil, fmt.Errorf("update: %w: %s needs %s or later; download it anew", ErrTooOld, f.Version, f.MinVersion)
		}
	}
	file, err := u.pick(f)
	if err != nil {
		return nil, err
	}
	if err := u.remember(st, f); err != nil {
		return nil, err
	}
	if exe, err := os.Executable(); err == nil {
		if p, err := locate(exe, file.Kind); err == nil && rolledBack(p, f.Version) {
			return nil, nil // it failed its probation here once
		}
	}
	if !f.Critical && f.Rollout < 100 && st.Bucket >= f.Rollout {
		return nil, nil // not this install's turn yet
	}
	return &Available{Feed: f, File: file, Critical: f.Critical}, nil
}

// signatureURL is the feed URL with .minisig added to its path, so a
// query string (a signed URL's) stays where it is.
func signatureURL(feed string) (string, error) {
	p, err := url.Parse(feed)
	if err != nil {
		return "", err
	}
	p.Path += ".minisig"
	p.RawPath = ""
	return p.String(), nil
}

// pick chooses the feed's file for this OS, architecture and install kind.
func (u *Updater) pick(f *Feed) (File, error) {
	kind := u.c.Kind
	if kind == "" {
		kind = Detect()
	}
	var other []string
	for _, file := range f.Files {
		if file.OS != u.c.OS || (file.Arch != u.c.Arch && !(file.Arch == "universal" && u.c.OS == "darwin")) {
			other = append(other, file.OS+"/"+file.Arch)
			continue
		}
		if file.Kind == kind {
			if kind.Managed() {
				return File{}, fmt.Errorf("update: %w: this copy was installed by its %s package; update it with %s", ErrManaged, kind, kind.Manager())
			}
			return file, nil
		}
		other = append(other, string(file.Kind))
	}
	return File{}, fmt.Errorf("update: %w: no %s file for %s/%s (it has %s)", ErrNoFile, kind, u.c.OS, u.c.Arch, strings.Join(other, ", "))
}

// get reads url whole, at most limit bytes, within stallTimeout.
func (u *Updater) get(ctx context.Context, url string, limit int64) ([]byte, error) {
	if err := checkURL(url); err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, stallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	resp, err := u.c.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("update: GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("update: GET %s: %w", url, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("update: GET %s: more than %d bytes", url, limit)
	}
	return data, nil
}

// state is what the updater remembers of one channel between runs.
type state struct {
	Released time.Time `json:"released"` // of the newest verified feed
	Version  string    `json:"version"`  // that feed's version
	Bucket   int       `json:"bucket"`   // 0–99: this install's place in phased rollouts
}

func (u *Updater) statePath(channel string) string {
	return filepath.Join(u.c.StateDir, "state-"+channel+".json")
}

func (u *Updater) loadState(channel string) (state, error) {
	var st state
	data, err := os.ReadFile(u.statePath(channel))
	switch {
	case errors.Is(err, os.ErrNotExist):
		st.Bucket = newBucket()
		return st, nil
	case err != nil:
		return st, fmt.Errorf("update: %w", err)
	}
	if err := json.Unmarshal(data, &st); err != nil || st.Bucket < 0 || st.Bucket > 99 {
		// A damaged state file loses only what it remembered; the
		// signature and version checks still hold.
		return state{Bucket: newBucket()}, nil
	}
	return st, nil
}

// remember records f as the newest feed seen on its channel, atomically.
func (u *Updater) remember(st state, f *Feed) error {
	if !f.Released.After(st.Released) && st.Version != "" {
		return nil
	}
	st.Released, st.Version = f.Released, f.Version
	data, _ := json.Marshal(st)
	return writeAtomic(u.statePath(f.Channel), data)
}

// newBucket is a random number from 0 to 99, fixed for the install once
// written: whether a phased rollout includes it is decided here, on the
// client, with nothing sent to a server.
func newBucket() int {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0
	}
	return int(binary.LittleEndian.Uint64(b[:]) % 100)
}

// writeAtomic writes path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("update: %w", err)
	}
	return nil
}
