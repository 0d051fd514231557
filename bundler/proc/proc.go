// Package proc starts the external programs bundle runs (go, git,
// makensis, wixl, osslsigncode, openssl, …) so that an interrupted build
// stops all of them and none of them sees a secret:
//
//   - each runs in its own process group (on Unix), and the end of its
//     context terminates the whole group, so `go build`'s compile and link
//     die with it and nothing is left running;
//   - its environment is this process's without the variables that hold
//     secrets (sign.*.password_env, passphrase_env), whose names the build
//     puts into the context once with WithSecrets;
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

type secretsKey struct{}

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

// Env is the environment of a program started with ctx: this process's
// own, without the secret variables ctx names, then extra.
func Env(ctx context.Context, extra ...string) []string {
	secrets := Secrets(ctx)
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !isSecret(secrets, name) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
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

func isSecret(secrets []string, name string) bool {
	for _, s := range secrets {
		// Windows compares environment names without regard to case.
		if s == name || (runtime.GOOS == "windows" && strings.EqualFold(s, name)) {
			return true
		}
	}
	return false
}
