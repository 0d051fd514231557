package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestSecretEnv(t *testing.T) {
	tests := []struct {
		name string
		sign Sign
		want []string
	}{
		{"none", Sign{}, nil},
		{"windows without a password", Sign{Windows: &WindowsSign{PFXFile: "k.pfx"}}, nil},
		{"every section", Sign{
			GPG:     &GPG{KeyFile: "k.asc", PassphraseEnv: "GPG_PASSPHRASE"},
			APK:     &APKKey{KeyFile: "k.rsa", PassphraseEnv: "APK_PASS", KeyName: "a@b.rsa.pub"},
			Windows: &WindowsSign{PFXFile: "k.pfx", PasswordEnv: "PFX_PASSWORD", TimestampURL: "http://ts.example"},
		}, []string{"GPG_PASSPHRASE", "APK_PASS", "PFX_PASSWORD"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.sign.SecretEnv(); !slices.Equal(got, tc.want) {
				t.Errorf("SecretEnv() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSecretEnvCoversEverySecretField fills every *_env field of every sign
// section with a distinct name: SecretEnv must return each, so a secret
// field added later cannot be forgotten.
func TestSecretEnvCoversEverySecretField(t *testing.T) {
	var s Sign
	var want []string
	v := reflect.ValueOf(&s).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		f.Set(reflect.New(f.Type().Elem()))
		sec := f.Elem()
		for j := range sec.NumField() {
			if key := sec.Type().Field(j).Tag.Get("yaml"); strings.HasSuffix(key, "_env") {
				name := strings.ToUpper(v.Type().Field(i).Name + "_" + key)
				sec.Field(j).SetString(name)
				want = append(want, name)
			}
		}
	}
	if len(want) < 3 {
		t.Fatalf("found only %d secret fields: %q", len(want), want)
	}
	if got := s.SecretEnv(); !slices.Equal(got, want) {
		t.Errorf("SecretEnv() = %q, want %q", got, want)
	}
}

// TestConfigSecretEnvUpdate: the update key and its password are secrets
// too, hidden from every program the build runs.
func TestConfigSecretEnvUpdate(t *testing.T) {
	c := Config{Update: &Update{KeyEnv: "UPDATE_KEY", PasswordEnv: "UPDATE_PASSWORD"}}
	got := c.SecretEnv()
	for _, name := range []string{"UPDATE_KEY", "UPDATE_PASSWORD"} {
		if !slices.Contains(got, name) {
			t.Errorf("SecretEnv() = %q, without %s", got, name)
		}
	}
}
