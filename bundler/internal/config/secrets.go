package config

import (
	"reflect"
	"strings"
)

// SecretEnv returns the names of the environment variables that hold
// secrets: the signing secrets (Sign.SecretEnv), the update feed's key
// and password, and the notary API key,
// which may come from its default variable even with no notarize section.
func (c Config) SecretEnv() []string {
	names := c.Sign.SecretEnv()
	if n := c.Notarize.MacOS; n != nil && n.KeyEnv != "" {
		names = append(names, n.KeyEnv)
	}
	if u := c.Update; u != nil {
		for _, n := range []string{u.KeyEnv, u.PasswordEnv} {
			if n != "" {
				names = append(names, n)
			}
		}
	}
	return append(names, NotaryKeyEnv)
}

// SecretEnv returns the names of the environment variables that hold the
// signing secrets (sign.windows.password_env, sign.gpg.passphrase_env,
// sign.apk.passphrase_env, …): no program bundle runs may see them. It
// reads every *_env field of every sign section, so a secret field added
// later is covered without a change here.
func (s Sign) SecretEnv() []string {
	var names []string
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		section := v.Field(i)
		if section.Kind() != reflect.Pointer || section.IsNil() {
			continue
		}
		section = section.Elem()
		for j := range section.NumField() {
			key, _, _ := strings.Cut(section.Type().Field(j).Tag.Get("yaml"), ",")
			if f := section.Field(j); strings.HasSuffix(key, "_env") && f.Kind() == reflect.String && f.String() != "" {
				names = append(names, f.String())
			}
		}
	}
	return names
}
