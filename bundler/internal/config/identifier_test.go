package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// inertIdentifier is every character an identifier field may hold. None
// starts a field, line, element, attribute, variable, macro or command in
// any file a format writes (deb control, .PKGINFO, rpm headers, desktop
// entries, XML, plists, NSIS, WiX): these fields become file names and
// values that formats do not escape, so the decoder's patterns are what
// keeps them inert, and this test proves the patterns admit nothing else.
const inertIdentifier = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+@"

// TestIdentifiersAreInert inserts every ASCII character, and characters
// beyond that mean something somewhere, into a valid value of each
// identifier field that reaches a generated file, and checks that the
// decoder accepts it only when it is in inertIdentifier.
func TestIdentifiersAreInert(t *testing.T) {
	fields := []struct {
		yaml  string // the field inside a minimal document, %s its value
		valid string // a valid value; the character goes in its middle
	}{
		{"id: %s", "com.example.hello"},
		{"binary: %s", "hello"},
		{"version: %s", "1.2.3-rc.1"},
		{"linux: {package_name: %s}", "hello"},
		{"sign: {apk: {key_file: k.rsa, key_name: %s}}", "builds@example.com.rsa.pub"},
	}
	var chars []rune
	for r := rune(0); r < 0x80; r++ {
		chars = append(chars, r)
	}
	chars = append(chars, '\u0085', '\u00a0', '\u2028', '\u202e', '\ufeff', 'é', '世', '😀')
	tried := 0
	for _, f := range fields {
		for _, r := range chars {
			mid := len(f.valid) / 2
			value := f.valid[:mid] + string(r) + f.valid[mid:]
			quoted, _ := json.Marshal(value) // a YAML double-quoted scalar
			doc := "name: Hello\n" + fmt.Sprintf(f.yaml, quoted) + "\n"
			_, err := Decode("bundle.yaml", []byte(doc), known)
			tried++
			if err == nil && !strings.ContainsRune(inertIdentifier, r) {
				t.Errorf("%s accepts %q (character %U)", strings.SplitN(f.yaml, ":", 2)[0], value, r)
			}
		}
	}
	t.Logf("%d identifier values tried", tried)
}
