// Package proc starts the external programs bundle runs (go, git,
// makensis, wixl, osslsigncode, openssl, …) so that an interrupted build
// stops all of them and none of them sees a secret:
//
//   - each runs in its own process group (on Unix), and the end of its
//     context terminates the whole group, so `go build`'s compile and link
//     die with it and nothing is left running;
//   - its environment is this process's without the variables that hold
//     secrets (sign.*.password_env, passphrase_env), whose names the build
//     puts into the context once with WithSecrets, and its temporary
//     folder is one inside the build's work folder (WithTempDir), so that
//     what a killed program leaves there goes with it;
//   - a password a program needs reaches it through PassSecret: a pipe on
//     Unix, never the environment, the command line or a file on disk.
package proc

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Grace is how long a cancelled program's process group has to exit after
// the polite signal before it is killed; WaitDelay bounds the wait for its
// output after that. Together they keep an interrupted build's stop well
// under two seconds.
const (
	Grace     = 500 * time.Millisecond
	WaitDelay = time.Second
)

type (
	secretsKey struct{}
	tempDirKey struct{}
)

// WithSecrets returns a context whose commands run without the environment
// variables names (and without those ctx already names).
func WithSecrets(ctx context.Context, names ...string) context.Context {
	all := slices.Concat(Secrets(ctx), names)
	return context.WithValue(ctx, secretsKey{}, all)
}

// Secrets returns the names of the variables commands started with ctx do
// not get.
func Secrets(ctx context.Context) []string {
	names, _ := ctx.Value(secretsKey{}).([]string)
	return names
}

// WithTempDir creates dir (private to this user) and returns a context
// whose commands use it as their temporary folder (TMPDIR; TMP and TEMP
// on Windows), so what they leave there, killed before they could clean
// up, goes when the caller removes dir.
func WithTempDir(ctx context.Context, dir string) (context.Context, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, tempDirKey{}, dir), nil
}

// Env is the environment of a program started with ctx: this process's
// own, without the secret variables ctx names, with ctx's temporary
// folder, then extra.
func Env(ctx context.Context, extra ...string) []string {
	drop := Secrets(ctx)
	var temp []string
	if dir, ok := ctx.Value(tempDirKey{}).(string); ok {
		names := []string{"TMPDIR"}
		if runtime.GOOS == "windows" {
			names = []string{"TMP", "TEMP"}
		}
		for _, n := range names {
			drop = append(drop, n)
			temp = append(temp, n+"="+dir)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !dropped(drop, name) {
			env = append(env, kv)
		}
	}
	return slices.Concat(env, temp, extra)
}

// Command is exec.CommandContext for every program bundle runs: its
// environment is Env(ctx) (add to cmd.Env, do not replace it), it runs in
// a process group of its own, and when ctx ends the whole group is
// stopped: asked to exit, then killed after Grace.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = Env(ctx)
	cmd.WaitDelay = WaitDelay
	ownGroup(cmd)
	return cmd
}

// dropped reports whether name is among names.
func dropped(names []string, name string) bool {
	for _, s := range names {
		// Windows compares environment names without regard to case.
		if s == name || (runtime.GOOS == "windows" && strings.EqualFold(s, name)) {
			return true
		}
	}
	return false
}
