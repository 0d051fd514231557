package proc

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestEnvDropsSecrets(t *testing.T) {
	t.Setenv("PROC_TEST_PFX_PASSWORD", "hunter2")
	t.Setenv("PROC_TEST_GPG_PASSPHRASE", "swordfish")
	t.Setenv("PROC_TEST_PLAIN", "kept")
	ctx := WithSecrets(context.Background(), "PROC_TEST_PFX_PASSWORD")
	ctx = WithSecrets(ctx, "PROC_TEST_GPG_PASSPHRASE", "PROC_TEST_UNSET")
	if got := Secrets(ctx); !slices.Equal(got, []string{"PROC_TEST_PFX_PASSWORD", "PROC_TEST_GPG_PASSPHRASE", "PROC_TEST_UNSET"}) {
		t.Errorf("Secrets = %q", got)
	}
	env := Env(ctx, "EXTRA=1")
	for _, kv := range env {
		if strings.Contains(kv, "hunter2") || strings.Contains(kv, "swordfish") {
			t.Errorf("Env holds a secret: %s", kv)
		}
	}
	if !slices.Contains(env, "PROC_TEST_PLAIN=kept") || env[len(env)-1] != "EXTRA=1" {
		t.Errorf("Env lost a plain variable or the extra one: %q", env)
	}
	if !slices.Contains(Env(context.Background()), "PROC_TEST_PFX_PASSWORD=hunter2") {
		t.Error("without WithSecrets, Env dropped a variable")
	}
	if cmd := Command(ctx, "true"); !slices.Equal(cmd.Env, Env(ctx)) {
		t.Error("Command's environment is not Env(ctx)")
	}
}

func TestEnvTempDir(t *testing.T) {
	dir := t.TempDir() + "/tmp"
	t.Setenv("TMPDIR", "/somewhere/else")
	ctx, err := WithTempDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	env := Env(ctx, "EXTRA=1")
	var tmp []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "TMPDIR=") {
			tmp = append(tmp, kv)
		}
	}
	if runtime.GOOS != "windows" && !slices.Equal(tmp, []string{"TMPDIR=" + dir}) {
		t.Errorf("TMPDIR entries: %q, want only the build's", tmp)
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Errorf("WithTempDir did not create %s: %v", dir, err)
	}
}
