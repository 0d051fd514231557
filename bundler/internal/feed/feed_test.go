package feed

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"
	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/scrypt"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/internal/testtool"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

var released = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func release() Release {
	sum := strings.Repeat("ab", 32)
	return Release{
		App: "Hello", Version: semver.MustParse("1.2.0"), Released: released,
		Kinds: map[string]updatefeed.Kind{"tar.gz": updatefeed.Portable, "nsis": updatefeed.NSIS, "deb": updatefeed.Deb, "app": updatefeed.App},
		Artifacts: []artifact.Artifact{
			{Path: "hello_1.2.0_linux_amd64.tar.gz", OS: "linux", Arch: "amd64", Format: "tar.gz", Size: 10, SHA256: sum},
			{Path: "hello_1.2.0_linux_amd64.cdx.json", OS: "linux", Arch: "amd64", Format: "sbom", Size: 3, SHA256: sum},
			{Path: "hello 1.2.0 setup.exe", OS: "windows", Arch: "amd64", Format: "nsis", Size: 11, SHA256: sum},
			{Path: "hello_1.2.0_darwin_universal.dmg", OS: "darwin", Arch: "universal", Format: "dmg", Size: 12, SHA256: sum},
			{Path: "hello_1.2.0_darwin_universal.app.zip", OS: "darwin", Arch: "universal", Format: "app", Size: 13, SHA256: sum},
		},
	}
}

func TestMake(t *testing.T) {
	u := &config.Update{URL: "https://example.com/dl/v{version}"}
	f, err := Make(u, "stable", release(), released.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if f.Channel != "stable" || f.Version != "1.2.0" || f.Rollout != 100 || !f.Expires.Equal(released.AddDate(0, 0, 365)) {
		t.Errorf("feed %+v", f)
	}
	var got []string
	for _, file := range f.Files {
		got = append(got, string(file.Kind)+" "+file.URL)
	}
	want := []string{ // in name order
		"nsis https://example.com/dl/v1.2.0/hello%201.2.0%20setup.exe",
		"app https://example.com/dl/v1.2.0/hello_1.2.0_darwin_universal.app.zip",
		"portable https://example.com/dl/v1.2.0/hello_1.2.0_linux_amd64.tar.gz",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := updatefeed.ParseFeed(data); err != nil {
		t.Errorf("the client refuses the feed bundle writes: %v", err)
	}

	for _, c := range []struct {
		version, channel string
		want             string
	}{{"1.2.0", "", "stable beta"}, {"1.3.0-rc.1", "", "beta"}, {"1.2.0", "lts", "lts"}, {"1.3.0-rc.1", "stable", "stable"}} {
		got := Channels(&config.Update{Channel: c.channel}, semver.MustParse(c.version))
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s with channel %q: feeds for %v, want %s", c.version, c.channel, got, c.want)
		}
	}
}

func TestMakeRefuses(t *testing.T) {
	u := &config.Update{URL: "https://example.com/", ExpiresDays: 30}
	if _, err := Make(u, "stable", release(), released.AddDate(0, 0, 30)); exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "expires_days") {
		t.Errorf("a feed expired at birth: %v", err)
	}
	if _, err := Make(u, "stable", release(), released.AddDate(0, 0, -2)); exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "in the future") {
		t.Errorf("a source time in the future: %v", err)
	}
	none := release()
	none.Artifacts = none.Artifacts[1:2]
	if _, err := Make(u, "stable", none, released); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("a feed of nothing: %v", err)
	}
}

// keyPair makes a key pair with bundle's own generator.
func keyPair(t *testing.T, password string) (secret, public string) {
	t.Helper()
	s, p, err := GenerateKey(password)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(p)), "\n")
	return string(s), lines[len(lines)-1]
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// encryptCheap encrypts a secret key in minisign's layout (scrypt, then
// BLAKE2b-256 of the key as a check) with the lowest scrypt cost the format
// allows instead of the 1 GiB minisign -G and bundle use, so that tests
// decrypt in milliseconds; the cost is read from the file, by minisign and
// bundle alike.
func encryptCheap(t *testing.T, secret, password string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.Split(strings.TrimSpace(secret), "\n")[1])
	if err != nil || len(raw) != 158 {
		t.Fatalf("not an unencrypted minisign key: %v", err)
	}
	const ops, mem = 1 << 15, 1 << 24 // scrypt N=1024, r=8, p=1
	salt := make([]byte, 32)
	rand.Read(salt)
	stream, err := scrypt.Key([]byte(password), salt, 1024, 8, 1, 104)
	if err != nil {
		t.Fatal(err)
	}
	plain := raw[54:126] // key id and Ed25519 secret key
	sum := blake2b.Sum256(append([]byte("Ed"), plain...))
	out := append([]byte("EdScB2"), salt...)
	out = binary.LittleEndian.AppendUint64(out, ops)
	out = binary.LittleEndian.AppendUint64(out, mem)
	for i, b := range append(bytes.Clone(plain), sum[:]...) {
		out = append(out, b^stream[i])
	}
	return "untrusted comment: minisign encrypted secret key\n" + base64.StdEncoding.EncodeToString(out) + "\n"
}

// TestSignedFeedVerifies signs with keys made by bundle and by minisign
// itself, plain and encrypted, and checks each signature with minisign -V
// and with the app's client, which both refuse a changed byte. minisign
// signs with the encrypted key too, so bundle reads the layout minisign
// reads.
func TestSignedFeedVerifies(t *testing.T) {
	testtool.Need(t, "minisign", "minisign")
	dir := t.TempDir()
	type pair struct{ name, secret, public, password string }
	var pairs []pair
	s, p := keyPair(t, "")
	pairs = append(pairs, pair{"bundle keygen", s, p, ""})
	pairs = append(pairs, pair{"encrypted", encryptCheap(t, s, "pass word"), p, "pass word"})
	sec, pub := filepath.Join(dir, "k.sec"), filepath.Join(dir, "k.pub")
	if out, err := exec.Command("minisign", "-G", "-W", "-p", pub, "-s", sec).CombinedOutput(); err != nil {
		t.Fatalf("minisign -G: %v\n%s", err, out)
	}
	cliSecret, _ := os.ReadFile(sec)
	cliPublic, _ := os.ReadFile(pub)
	pairs = append(pairs, pair{"minisign -G", string(cliSecret), strings.Split(strings.TrimSpace(string(cliPublic)), "\n")[1], ""})

	f, err := Make(&config.Update{URL: "https://example.com/"}, "stable", release(), released)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := f.Marshal()
	_, other := keyPair(t, "")
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			u := &config.Update{KeyEnv: "K", PasswordEnv: "P", PublicKeys: []string{other, p.public}}
			s, err := SignerFromConfig(u, env(map[string]string{"K": p.secret, "P": p.password}))
			if err != nil {
				t.Fatal(err)
			}
			sig := s.Sign(Name("stable"), released.Unix(), data)
			if again := s.Sign(Name("stable"), released.Unix(), data); !bytes.Equal(sig, again) {
				t.Error("two signatures of one feed differ; the build would not be reproducible")
			}
			tmp := t.TempDir()
			feedPath, pubPath, secPath := filepath.Join(tmp, Name("stable")), filepath.Join(tmp, "k.pub"), filepath.Join(tmp, "k.sec")
			write(t, feedPath, string(data))
			write(t, feedPath+".minisig", string(sig))
			write(t, pubPath, "untrusted comment: test\n"+p.public+"\n")
			write(t, secPath, p.secret)
			if out, err := exec.Command("minisign", "-V", "-p", pubPath, "-m", feedPath).CombinedOutput(); err != nil {
				t.Errorf("minisign -V: %v\n%s", err, out)
			}
			keys := parseKeys(t, u.PublicKeys)
			if k, err := updatefeed.VerifySignature(data, sig, keys); err != nil || k.Key == nil {
				t.Errorf("the client: %v", err)
			}
			// minisign signs with the same key, legacy (Ed) as bundle does:
			// the signature is the same, trusted comment aside.
			cli := exec.Command("minisign", "-S", "-l", "-s", secPath, "-m", feedPath, "-x", feedPath+".cli")
			cli.Stdin = strings.NewReader(p.password + "\n")
			if out, err := cli.CombinedOutput(); err != nil {
				t.Errorf("minisign -S: %v\n%s", err, out)
			} else if cliSig, _ := os.ReadFile(feedPath + ".cli"); strings.Split(string(cliSig), "\n")[1] != strings.Split(string(sig), "\n")[1] {
				t.Errorf("minisign's signature differs from bundle's:\n%s\n%s", cliSig, sig)
			}
			changed := bytes.Replace(data, []byte(`"rollout": 100`), []byte(`"rollout": 10 `), 1)
			write(t, feedPath, string(changed))
			if out, err := exec.Command("minisign", "-V", "-p", pubPath, "-m", feedPath).CombinedOutput(); err == nil {
				t.Errorf("minisign -V verified a changed feed:\n%s", out)
			}
			if _, err := updatefeed.VerifySignature(changed, sig, keys); !errors.Is(err, updatefeed.ErrBadSignature) {
				t.Errorf("the client on a changed feed: %v", err)
			}
			if _, err := updatefeed.VerifySignature(data, sig, keys[:1]); err == nil || !strings.Contains(err.Error(), "does not trust") {
				t.Errorf("the client without the signing key: %v", err)
			}
		})
	}
}

func parseKeys(t *testing.T, lines []string) []updatefeed.PublicKey {
	t.Helper()
	var keys []updatefeed.PublicKey
	for _, l := range lines {
		k, err := updatefeed.ParsePublicKey(l)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	return keys
}

// TestSignerRefuses: each wrong key setting is one line naming the field
// and the fix, and never quotes the secret.
func TestSignerRefuses(t *testing.T) {
	secret, public := keyPair(t, "")
	encPlain, encPublic := keyPair(t, "")
	encrypted := encryptCheap(t, encPlain, "right")
	_, other := keyPair(t, "")
	cases := []struct {
		name string
		u    config.Update
		vars map[string]string
		want string
	}{
		{"empty", config.Update{KeyEnv: "K", PublicKeys: []string{public}}, nil, "update.key_env: $K is empty"},
		{"not a key", config.Update{KeyEnv: "K", PublicKeys: []string{public}}, map[string]string{"K": "hunter2-secret"}, "does not hold a minisign secret key"},
		{"encrypted, no password_env", config.Update{KeyEnv: "K", PublicKeys: []string{encPublic}}, map[string]string{"K": encrypted}, "name the variable holding its password"},
		{"encrypted, empty password", config.Update{KeyEnv: "K", PasswordEnv: "P", PublicKeys: []string{encPublic}}, map[string]string{"K": encrypted}, "update.password_env: $P is empty"},
		{"wrong password", config.Update{KeyEnv: "K", PasswordEnv: "P", PublicKeys: []string{encPublic}}, map[string]string{"K": encrypted, "P": "wrong"}, "does not decrypt"},
		{"public key not listed", config.Update{KeyEnv: "K", PublicKeys: []string{other}}, map[string]string{"K": secret}, "update.public_keys does not list " + public},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := SignerFromConfig(&c.u, env(c.vars))
			if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want a config error with %q", err, c.want)
			}
			for _, v := range c.vars {
				if strings.Contains(err.Error(), v) {
					t.Errorf("the error quotes a secret: %v", err)
				}
			}
		})
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
