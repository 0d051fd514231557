package bundler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testbin"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/internal/winetest"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// updateProject is examples/hello with an update section and its key in
// the environment; it returns the project and the public key's line.
func updateProject(t *testing.T) (dir, public string) {
	t.Helper()
	dir = testfs.CopyProject(t, "examples/hello")
	keyFile := filepath.Join(t.TempDir(), "update.key")
	public, err := bundler.WriteUpdateKey(keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := os.ReadFile(keyFile)
	// expires_days is long: the build's source time is fixed, and the test
	// must pass for years.
	appendConfig(t, dir, "update:\n  url: https://example.com/releases/download/v{version}/\n"+
		"  feed_url: https://example.com/releases/latest/download/update-{channel}.json\n"+
		"  expires_days: 3650\n  public_keys: ["+public+"]\n  key_env: "+setSecret(t, string(secret))+"\n")
	return dir, public
}

// TestUpdateFeed builds examples/hello with an update section: the feeds
// (stable, and beta, which lists stable releases too) list each
// installable artifact with its size and hash as artifacts.json
// does, leaves out the SBOM, is listed in artifacts.json and
// checksums.txt, verifies with minisign -V and with the app's client, and
// is the same byte for byte when built again.
func TestUpdateFeed(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "minisign", "minisign")
	dir, public := updateProject(t)
	build := func() buildtest.Built {
		b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
			Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(), SourceDateEpoch: "1767225600", Version: "1.4.0",
			Targets: []string{"linux/amd64", "windows/amd64"}, Formats: []string{"tar.gz", "zip", "deb", "sbom"},
		})
		if b.Err != nil {
			t.Fatal(b.Err)
		}
		return b
	}
	b := build()
	feedPath := filepath.Join(b.Dist, "update-stable.json")
	data, err := os.ReadFile(feedPath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := updatefeed.ParseFeed(data)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bundler.Artifact{}
	for _, a := range b.Result.Manifest.Artifacts {
		listed[a.Path] = a
	}
	// A stable release is listed on the beta channel too, so beta installs
	// are offered it.
	for _, name := range []string{"update-stable.json", "update-stable.json.minisig", "update-beta.json", "update-beta.json.minisig"} {
		if _, ok := listed[name]; !ok {
			t.Errorf("artifacts.json does not list %s", name)
		}
	}
	checksums, _ := os.ReadFile(filepath.Join(b.Dist, bundler.ChecksumsName))
	if !strings.Contains(string(checksums), "  update-stable.json\n") {
		t.Errorf("checksums.txt does not list the feed:\n%s", checksums)
	}
	kinds := map[string]updatefeed.Kind{}
	for _, file := range f.Files {
		a, ok := listed[file.Name]
		if !ok || a.Size != file.Size || a.SHA256 != file.SHA256 || a.OS != file.OS || a.Arch != file.Arch || a.Format != file.Format {
			t.Errorf("feed file %+v does not match artifacts.json's %+v", file, a)
		}
		if want := "https://example.com/releases/download/v1.4.0/" + file.Name; file.URL != want {
			t.Errorf("url %s, want %s", file.URL, want)
		}
		kinds[file.OS+" "+file.Format] = file.Kind
	}
	want := map[string]updatefeed.Kind{"linux tar.gz": updatefeed.Portable, "linux deb": updatefeed.Deb, "windows zip": updatefeed.Portable}
	if len(kinds) != len(want) {
		t.Errorf("feed kinds %v, want %v", kinds, want)
	}
	for k, v := range want {
		if kinds[k] != v {
			t.Errorf("%s: kind %q, want %q", k, kinds[k], v)
		}
	}
	pub := filepath.Join(t.TempDir(), "k.pub")
	testfs.WriteFile(t, pub, "untrusted comment: test\n"+public+"\n")
	if out, err := exec.Command("minisign", "-V", "-p", pub, "-m", feedPath).CombinedOutput(); err != nil {
		t.Errorf("minisign -V: %v\n%s", err, out)
	}
	sig, _ := os.ReadFile(feedPath + ".minisig")
	key, _ := updatefeed.ParsePublicKey(public)
	if _, err := updatefeed.VerifySignature(data, sig, []updatefeed.PublicKey{key}); err != nil {
		t.Errorf("the client: %v", err)
	}
	if again, _ := os.ReadFile(filepath.Join(build().Dist, bundler.ChecksumsName)); string(again) != string(checksums) {
		t.Errorf("a second build differs:\n%s\n%s", checksums, again)
	}
}

// TestUpdateFeedRefusals: a wrong update section stops the build before
// anything is written, with one line naming the field.
func TestUpdateFeedRefusals(t *testing.T) {
	t.Parallel()
	dir, _ := updateProject(t)
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	cases := []struct{ name, edit, want string }{
		{"no key", "key_env: NO_SUCH_BUNDLE_TEST_KEY", "update.key_env: $NO_SUCH_BUNDLE_TEST_KEY is empty"},
		{"expired at birth", "expires_days: 1", "update.expires_days: the feed would expire"},
		{"plain http", "url: http://example.com/", "update.url"},
		{"not a key", "public_keys: [RWnotakey]", "update.public_keys"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			field := strings.SplitN(c.edit, ":", 2)[0]
			var lines []string
			inUpdate := false // package_managers has a url: too
			for _, l := range strings.Split(string(cfg), "\n") {
				if l != "" && l[0] != ' ' && l[0] != '#' {
					inUpdate = l == "update:"
				}
				if inUpdate && strings.HasPrefix(strings.TrimSpace(l), field+":") {
					l = "  " + c.edit
				}
				lines = append(lines, l)
			}
			testfs.WriteFile(t, filepath.Join(dir, "bundle.yaml"), strings.Join(lines, "\n"))
			dist := t.TempDir()
			_, err := bundler.Build(context.Background(), bundler.BuildOptions{
				Config: filepath.Join(dir, "bundle.yaml"), Dist: dist, SourceDateEpoch: "1767225600",
				Targets: []string{"linux/amd64"}, Formats: []string{"tar.gz"},
			})
			if bundler.ExitCode(err) != bundler.ExitUsage || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want exit %d and %q", err, bundler.ExitUsage, c.want)
			}
			emptyDir(t, dist)
		})
	}
}

// TestUpdateEndToEnd builds examples/updater at 1.0.0 and 1.1.0 with
// bundle, serves the newer dist from a real HTTP server on 127.0.0.1, and
// runs the older one, unpacked from its tar.gz, with `update`: it finds
// the feed bundle compiled in, verifies it with the compiled-in key,
// downloads, installs and restarts into 1.1.0, which reports healthy.
// Every run of the app is jailed, as it relaunches itself.
func TestUpdateEndToEnd(t *testing.T) {
	t.Parallel()
	jail, err := testbin.Jail(t.TempDir())
	if err != nil {
		testtool.Missing(t, err.Error())
	}
	served, dir := servedUpdater(t)
	// A display name with both kinds of quote and markup: it reaches the
	// app through -ldflags, and the app checks the feed's name against it.
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	testfs.WriteFile(t, filepath.Join(dir, "bundle.yaml"), strings.Replace(string(cfg), "name: Updater\n", "name: 'O''Brien \"Up\" <b>&'\n", 1))
	old := t.TempDir()
	archive, _ := buildUpdater(t, dir, "1.0.0", old, "linux/amd64", "tar.gz")
	buildUpdater(t, dir, "1.1.0", served, "linux/amd64", "tar.gz")
	exe := testfs.ExtractAll(t, archive, t.TempDir())
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(jail, append([]string{"-tasks", "64", "--", exe}, args...)...)
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", exe, args, err, out)
		}
		return string(out)
	}
	if out := run(); out != "updater 1.0.0\n" {
		t.Fatalf("before the update: %q", out)
	}
	if out := run("update"); !strings.Contains(out, "downloading 1.1.0") || !strings.HasSuffix(out, "updater 1.1.0\n") {
		t.Fatalf("update:\n%s", out)
	}
	if out := run(); out != "updater 1.1.0\n" {
		t.Errorf("after the update: %q", out)
	}
	if out := run("update"); out != "up to date: 1.1.0\n" {
		t.Errorf("a second update: %q", out)
	}
}

// TestMergeJoinsFeeds: the feeds of two split jobs, merged, are byte for
// byte the feeds one job building every target writes, and verify; a job
// whose feed was tampered with, or that was built from another commit, or
// a merge without the key, is refused with one line and leaves dist empty.
func TestMergeJoinsFeeds(t *testing.T) {
	t.Parallel()
	dir, public := updateProject(t)
	config := filepath.Join(dir, "bundle.yaml")
	build := func(split bool, epoch string, targets ...string) string {
		b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
			Config: config, Dist: t.TempDir(), Split: split, SourceDateEpoch: epoch, Version: "1.4.0",
			Targets: targets, Formats: []string{"tar.gz", "zip"},
		})
		if b.Err != nil {
			t.Fatal(b.Err)
		}
		return b.Dist
	}
	whole := build(false, "1767225600", "linux/amd64", "windows/amd64")
	linux := build(true, "1767225600", "linux/amd64")
	windows := build(true, "1767225600", "windows/amd64")

	dist := t.TempDir()
	m, err := bundler.Merge(context.Background(), []string{linux, windows}, dist, bundler.MergeOptions{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	key, err := updatefeed.ParsePublicKey(public)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"update-stable.json", "update-beta.json"} {
		got, _ := os.ReadFile(filepath.Join(dist, name))
		want, _ := os.ReadFile(filepath.Join(whole, name))
		if string(got) != string(want) {
			t.Errorf("merged %s differs from one build's:\n%s\nwant\n%s", name, got, want)
		}
		sig, _ := os.ReadFile(filepath.Join(dist, name+".minisig"))
		if _, err := updatefeed.VerifySignature(got, sig, []updatefeed.PublicKey{key}); err != nil {
			t.Errorf("merged %s: %v", name, err)
		}
		listed := false
		for _, a := range m.Artifacts {
			listed = listed || a.Path == name
		}
		if !listed {
			t.Errorf("%s is not in the merged artifacts.json", name)
		}
	}

	refused := func(name string, want string, inputs []string, o bundler.MergeOptions) {
		t.Helper()
		dist := t.TempDir()
		_, err := bundler.Merge(context.Background(), inputs, dist, o)
		if bundler.ExitCode(err) != bundler.ExitUsage || !strings.Contains(fmt.Sprint(err), want) || strings.Contains(fmt.Sprint(err), "\n") {
			t.Errorf("%s: got %v, want exit %d and %q", name, err, bundler.ExitUsage, want)
		}
		emptyDir(t, dist)
	}
	refused("no config", "pass --config with the release's bundle.yaml", []string{linux, windows}, bundler.MergeOptions{Config: filepath.Join(t.TempDir(), "bundle.yaml")})
	refused("another commit", "differ in released (the source time)", []string{linux, build(true, "1767312000", "windows/amd64")}, bundler.MergeOptions{Config: config})

	tampered := filepath.Join(t.TempDir(), "dist-windows")
	if err := os.CopyFS(tampered, os.DirFS(windows)); err != nil {
		t.Fatal(err)
	}
	feedPath := filepath.Join(tampered, "update-stable.json")
	data, _ := os.ReadFile(feedPath)
	testfs.WriteFile(t, feedPath, strings.Replace(string(data), `"rollout": 100`, `"rollout": 99`, 1))
	refused("tampered feed", "update-stable.json in "+tampered+": its signature does not verify", []string{linux, tampered}, bundler.MergeOptions{Config: config})
}

// servedUpdater is a folder a test HTTP server on 127.0.0.1 serves, and
// examples/updater set up to update from it.
func servedUpdater(t *testing.T) (served, dir string) {
	t.Helper()
	served = t.TempDir()
	srv := httptest.NewServer(http.FileServer(http.Dir(served)))
	t.Cleanup(srv.Close)
	return served, updaterProject(t, srv.URL)
}

// updaterProject is examples/updater with its feed and files at url, a key
// made for the test, and its runtimehooks replaced by this repository's.
func updaterProject(t *testing.T, url string) string {
	t.Helper()
	dir := testfs.CopyProject(t, "examples/updater")
	mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	testfs.WriteFile(t, filepath.Join(dir, "go.mod"), strings.Replace(string(mod), "=> ../../runtimehooks", "=> "+filepath.Join(testfs.RepoRoot(t), "runtimehooks"), 1))
	keyFile := filepath.Join(t.TempDir(), "update.key")
	public, err := bundler.WriteUpdateKey(keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := os.ReadFile(keyFile)
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	text, _, _ := strings.Cut(string(cfg), "update:")
	testfs.WriteFile(t, filepath.Join(dir, "bundle.yaml"), text+"update:\n  url: "+url+"/\n  feed_url: "+url+"/update-{channel}.json\n"+
		"  expires_days: 3650\n  public_keys: ["+public+"]\n  key_env: "+setSecret(t, string(secret))+"\n")
	return dir
}

// buildUpdater builds the project in dir at version for one target and
// format into dist, and returns that format's artifact and the manifest.
func buildUpdater(t *testing.T, dir, version, dist, target, format string) (string, bundler.Manifest) {
	t.Helper()
	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: dist, Version: version,
		Targets: []string{target}, Formats: []string{format},
	})
	if b.Err != nil {
		t.Fatal(b.Err)
	}
	for _, a := range b.Result.Manifest.Artifacts {
		if a.Format == format {
			return filepath.Join(dist, a.Path), b.Result.Manifest
		}
	}
	t.Fatalf("no %s artifact", format)
	return "", bundler.Manifest{}
}

// TestUpdateNSISUnderWine installs examples/updater 1.0.0 per user with
// its NSIS installer under Wine, serves 1.1.0's dist from 127.0.0.1, and
// runs the installed app's update: the app moves its running exe aside,
// runs the new installer silently into its folder, restarts into 1.1.0 on
// probation, which reports healthy; Add/Remove Programs then says 1.1.0.
func TestUpdateNSISUnderWine(t *testing.T) {
	testtool.Need(t, "nsis", "makensis")
	w := winetest.Require(t)
	jail, err := testbin.Jail(t.TempDir())
	if err != nil {
		testtool.Missing(t, err.Error())
	}
	served, dir := servedUpdater(t)
	v1, _ := buildUpdater(t, dir, "1.0.0", t.TempDir(), "windows/amd64", "nsis")
	buildUpdater(t, dir, "1.1.0", served, "windows/amd64", "nsis")

	local := w.LocalAppData(t)
	exe := local + `\Programs\Updater\updater.exe`
	t.Cleanup(func() { w.Run(t, time.Minute, local+`\Programs\Updater\uninstall.exe`, "/S") })
	if out, code := w.Run(t, time.Minute, v1, "/S"); code != 0 {
		t.Fatalf("installer /S: exit %d\n%s", code, out)
	}
	if out, _ := w.Run(t, time.Minute, exe); strings.TrimSpace(out) != "updater 1.0.0" {
		t.Fatalf("installed app before the update: %q", out)
	}
	out, code := w.RunJailed(t, 2*time.Minute, jail, exe, "update")
	if code != 0 || !strings.Contains(out, "updater 1.1.0") {
		t.Fatalf("update: exit %d\n%s", code, out)
	}
	if out, _ := w.Run(t, time.Minute, exe); strings.TrimSpace(out) != "updater 1.1.0" {
		t.Errorf("installed app after the update: %q", out)
	}
	const key = `HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\dev.bundlekit.updater`
	if out, _ := w.Run(t, time.Minute, "reg", "query", key, "/v", "DisplayVersion"); !strings.Contains(out, "1.1.0") {
		t.Errorf("Add/Remove Programs after the update:\n%s", out)
	}
}

// TestUpdateMSIUnderWine installs examples/updater 1.0.0 from its MSI
// under Wine, serves 1.1.0's dist from 127.0.0.1, and runs the installed
// app's update: the app finds its folder in the InstallDir its MSI
// recorded, so it knows it is an MSI install, moves its running exe
// aside, upgrades through msiexec /i /qn and restarts into 1.1.0 on
// probation; Windows Installer then lists one product of the app, a new
// one.
func TestUpdateMSIUnderWine(t *testing.T) {
	testtool.Need(t, "wixl", "wixl")
	w := winetest.Require(t)
	jail, err := testbin.Jail(t.TempDir())
	if err != nil {
		testtool.Missing(t, err.Error())
	}
	served, dir := servedUpdater(t)
	v1, _ := buildUpdater(t, dir, "1.0.0", t.TempDir(), "windows/amd64", "msi")
	buildUpdater(t, dir, "1.1.0", served, "windows/amd64", "msi")

	products := func() []string { return w.Products(t, "Updater") }
	local := w.LocalAppData(t)
	exe := local + `\Programs\Updater\updater.exe`
	if out, code := w.Run(t, time.Minute, "msiexec", "/i", winetest.Path(v1), "/qn"); code != 0 {
		t.Fatalf("msiexec /i: exit %d\n%s", code, out)
	}
	t.Cleanup(func() {
		for _, p := range products() {
			code, _, _ := strings.Cut(p, "|||")
			w.Run(t, time.Minute, "msiexec", "/x", code, "/qn")
		}
	})
	before := products()
	if len(before) != 1 {
		t.Fatalf("products after installing 1.0.0: %q", before)
	}
	if out, _ := w.Run(t, time.Minute, exe); strings.TrimSpace(out) != "updater 1.0.0" {
		t.Fatalf("installed app before the update: %q", out)
	}
	out, code := w.RunJailed(t, 2*time.Minute, jail, exe, "update")
	if code != 0 || !strings.Contains(out, "updater 1.1.0") {
		t.Fatalf("update: exit %d\n%s", code, out)
	}
	if out, _ := w.Run(t, time.Minute, exe); strings.TrimSpace(out) != "updater 1.1.0" {
		t.Errorf("installed app after the update: %q", out)
	}
	if after := products(); len(after) != 1 || after[0] == before[0] {
		t.Errorf("products after the update: %q, want one other than %q", after, before)
	}
}

// TestUpdateDelta builds examples/updater 1.0.0, then 1.1.0 with
// update.delta_from naming 1.0.0's dist: the build writes a delta, lists
// it in artifacts.json, and the feed offers it to 1.0.0. An installed
// 1.0.0 updates by downloading the delta, never the archive; one whose
// executable was changed since it was installed finds the delta does not
// fit and downloads the archive instead. Both end at 1.1.0.
func TestUpdateDelta(t *testing.T) {
	t.Parallel()
	jail, err := testbin.Jail(t.TempDir())
	if err != nil {
		testtool.Missing(t, err.Error())
	}
	served := t.TempDir()
	var mu sync.Mutex
	var requested []string
	files := http.FileServer(http.Dir(served))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requested = append(requested, path.Base(r.URL.Path))
		mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	dir := updaterProject(t, srv.URL)
	old := t.TempDir()
	archive, _ := buildUpdater(t, dir, "1.0.0", old, "linux/amd64", "tar.gz")
	appendConfig(t, dir, "  delta_from: "+old+"\n")
	var full, deltaName string
	var fullSize, deltaSize int64
	_, m := buildUpdater(t, dir, "1.1.0", served, "linux/amd64", "tar.gz")
	for _, a := range m.Artifacts {
		switch a.Format {
		case "tar.gz":
			full, fullSize = a.Path, a.Size
		case "update-delta":
			deltaName, deltaSize = a.Path, a.Size
		}
	}
	if deltaName != full+".from-1.0.0.delta" {
		t.Fatalf("delta %q for %q", deltaName, full)
	}
	if deltaSize*4 > fullSize {
		t.Errorf("the delta takes %d bytes, more than a quarter of the archive's %d", deltaSize, fullSize)
	}
	feedData, _ := os.ReadFile(filepath.Join(served, "update-stable.json"))
	f, err := updatefeed.ParseFeed(feedData)
	if err != nil || len(f.Files) != 1 || f.Files[0].Delta == nil || f.Files[0].Delta.From != "1.0.0" || f.Files[0].Delta.Name != deltaName {
		t.Fatalf("feed: %v\n%s", err, feedData)
	}

	update := func(changeExe bool) (fetched []string) {
		t.Helper()
		exe := testfs.ExtractAll(t, archive, t.TempDir())
		if changeExe {
			// An ELF file runs with bytes after its end; its hash changes.
			out, err := os.OpenFile(exe, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			out.WriteString("changed")
			out.Close()
		}
		mu.Lock()
		requested = nil
		mu.Unlock()
		cmd := exec.Command(jail, "-tasks", "64", "--", exe, "update")
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil || !strings.HasSuffix(string(out), "updater 1.1.0\n") {
			t.Fatalf("update: %v\n%s", err, out)
		}
		if out, err := exec.Command(jail, "-tasks", "64", "--", exe).CombinedOutput(); err != nil || string(out) != "updater 1.1.0\n" {
			t.Errorf("after the update: %v %q", err, out)
		}
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(requested)
	}
	if got := update(false); !slices.Contains(got, deltaName) || slices.Contains(got, full) {
		t.Errorf("an unchanged install fetched %q, want the delta and not the archive", got)
	}
	if got := update(true); !slices.Contains(got, full) {
		t.Errorf("an install whose executable changed fetched %q, want the archive after the delta", got)
	}
}

// TestUpdateDeltaRefusals: update.delta_from naming a folder that is not
// the previous release's dist is refused with one line and exit 2, and
// dist stays empty: a missing folder, a release not older than this one, a
// feed changed after it was signed, an archive changed after its feed was
// signed, and a path with a line break.
func TestUpdateDeltaRefusals(t *testing.T) {
	t.Parallel()
	dir, _ := updateProject(t)
	config := filepath.Join(dir, "bundle.yaml")
	base, _ := os.ReadFile(config)
	build := func(version, dist string) error {
		_, err := bundler.Build(context.Background(), bundler.BuildOptions{
			Config: config, Dist: dist, SourceDateEpoch: "1767225600", Version: version,
			Targets: []string{"linux/amd64"}, Formats: []string{"tar.gz"},
		})
		return err
	}
	previous := t.TempDir()
	if err := build("1.0.0", previous); err != nil {
		t.Fatal(err)
	}
	copyDist := func(edit func(dir string)) string {
		d := filepath.Join(t.TempDir(), "previous")
		if err := os.CopyFS(d, os.DirFS(previous)); err != nil {
			t.Fatal(err)
		}
		edit(d)
		return d
	}
	tamperedFeed := copyDist(func(d string) {
		p := filepath.Join(d, "update-stable.json")
		data, _ := os.ReadFile(p)
		testfs.WriteFile(t, p, strings.Replace(string(data), `"rollout": 100`, `"rollout": 99`, 1))
	})
	changedArchive := copyDist(func(d string) {
		m := testfs.ReadManifest(t, d)
		for _, a := range m.Artifacts {
			if a.Format == "tar.gz" {
				f, _ := os.OpenFile(filepath.Join(d, a.Path), os.O_APPEND|os.O_WRONLY, 0)
				f.WriteString("changed")
				f.Close()
			}
		}
	})
	for _, c := range []struct{ name, from, version, want string }{
		{"missing", filepath.Join(t.TempDir(), "none"), "1.1.0", "holds no readable update-stable.json"},
		{"not older", previous, "1.0.0", "not older than 1.0.0"},
		{"tampered feed", tamperedFeed, "1.1.0", "does not verify with update.public_keys"},
		{"changed archive", changedArchive, "1.1.0", "does not match its sha256 in the previous feed"},
		{"line break", `"a\nb"`, "1.1.0", "update.delta_from: holds a line break"},
	} {
		t.Run(c.name, func(t *testing.T) {
			from := c.from
			if !strings.HasPrefix(from, `"`) {
				from = strconvQuote(from)
			}
			testfs.WriteFile(t, config, string(base)+"  delta_from: "+from+"\n")
			dist := t.TempDir()
			err := build(c.version, dist)
			if bundler.ExitCode(err) != bundler.ExitUsage || !strings.Contains(fmt.Sprint(err), c.want) || strings.Contains(fmt.Sprint(err), "\n") {
				t.Fatalf("got %v, want exit %d and %q", err, bundler.ExitUsage, c.want)
			}
			emptyDir(t, dist)
		})
	}
}

// strconvQuote quotes s for YAML's double-quoted style, as JSON does.
func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
