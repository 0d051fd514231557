package forgetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/bundlekit/bundle/internal/testtool"
)

// GiteaModule is the Gitea release the tests build and run: the go
// command fetches it as a module, so no download site is needed.
const GiteaModule = "code.gitea.io/gitea@v1.27.3"

// Gitea is a real Gitea server on 127.0.0.1, in a folder of the test's,
// with one admin user whose token has every scope.
type Gitea struct {
	URL   string // the web address, ending in "/"
	API   string // URL + "api/v1"
	User  string
	Token string
}

// giteaINI is the least app.ini that runs Gitea with no install wizard:
// SQLite, no SSH, on the loopback only, its translations and templates
// read from its module's source (a build without the bindata tag, which
// needs a generation step, reads them there). Running as root is allowed
// because test machines often are root; elsewhere the key is inert.
var giteaINI = template.Must(template.New("app.ini").Parse(`I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true
[database]
DB_TYPE = sqlite3
PATH = {{.Dir}}/gitea.db
[server]
HTTP_ADDR = 127.0.0.1
HTTP_PORT = {{.Port}}
ROOT_URL = http://127.0.0.1:{{.Port}}/
DISABLE_SSH = true
OFFLINE_MODE = true
STATIC_ROOT_PATH = {{.Source}}
[repository]
ROOT = {{.Dir}}/repos
[security]
INSTALL_LOCK = true
[service]
DISABLE_REGISTRATION = true
[log]
LEVEL = Warn
ROOT_PATH = {{.Dir}}/log
`))

// StartGitea builds Gitea from its module (cached by the go command after
// the first time), starts it and stops it when t ends: polite signal,
// 5 s, kill.
func StartGitea(t testing.TB) *Gitea {
	t.Helper()
	bin, source := buildGitea(t)
	dir := t.TempDir()
	port := freePort(t)
	var ini bytes.Buffer
	giteaINI.Execute(&ini, map[string]any{"Dir": dir, "Port": port, "Source": source})
	conf := filepath.Join(dir, "app.ini")
	if err := os.WriteFile(conf, ini.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	gitea := func(args ...string) string {
		cmd := exec.Command(bin, append([]string{"-c", conf, "-w", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GITEA_WORK_DIR="+dir, "HOME="+dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gitea %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitea("migrate")
	gitea("admin", "user", "create", "--username", "bundler", "--password", "p4ss-"+filepath.Base(dir),
		"--email", "bundler@example.com", "--admin", "--must-change-password=false")
	token := gitea("admin", "user", "generate-access-token", "--username", "bundler", "--token-name", "publish", "--scopes", "all", "--raw")
	token = token[strings.LastIndex(token, "\n")+1:]

	web := exec.Command(bin, "-c", conf, "-w", dir, "web")
	web.Env = append(os.Environ(), "GITEA_WORK_DIR="+dir, "HOME="+dir)
	var log bytes.Buffer
	web.Stdout, web.Stderr = &log, &log
	if err := web.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { web.Wait(); close(done) }()
	t.Cleanup(func() {
		web.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			web.Process.Kill()
			<-done
		}
	})
	g := &Gitea{URL: fmt.Sprintf("http://127.0.0.1:%d/", port), User: "bundler", Token: token}
	g.API = g.URL + "api/v1"
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(g.API + "/version")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return g
			}
		}
		select {
		case <-done:
			t.Fatalf("gitea web exited: %s", log.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("gitea did not answer within 60 s: %s", log.String())
		}
	}
}

// CreateRepo makes a repository of the user with one commit on its
// default branch, where a published release's tag is created, and
// returns owner/name.
func (g *Gitea) CreateRepo(t testing.TB, name string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"name": name, "auto_init": true, "default_branch": "main"})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, g.API+"/user/repos", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "token "+g.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		var msg bytes.Buffer
		msg.ReadFrom(resp.Body)
		t.Fatalf("create repository %s: %s: %s", name, resp.Status, msg.String())
	}
	return g.User + "/" + name
}

// buildGitea returns a Gitea binary built from GiteaModule, and the
// module's folder.
func buildGitea(t testing.TB) (bin, source string) {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", GiteaModule).Output()
	var info struct{ Dir, Error string }
	if err == nil {
		err = json.Unmarshal(out, &info)
	}
	if err != nil || info.Error != "" || info.Dir == "" {
		testtool.Missing(t, fmt.Sprintf("go mod download %s failed (network?): %v %s", GiteaModule, err, info.Error))
	}
	bin = filepath.Join(t.TempDir(), "gitea")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = info.Dir
	// Gitea's default SQLite driver is pure Go.
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-trimpath", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", GiteaModule, err, out)
	}
	return bin, info.Dir
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
