package macsign

import (
	"fmt"
	"sort"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"howett.net/plist"
)

// Executable-segment flags (cs_blobs.h) the CodeDirectory carries.
const (
	execSegMainBinary    = 0x1
	execSegAllowUnsigned = 0x10
)

// Entitlements is a validated entitlements plist: the XML as given, which
// the signature embeds byte for byte, and its values.
type Entitlements struct {
	xml    []byte
	values map[string]any
}

// ParseEntitlements checks that data is an XML plist whose top level is a
// dictionary holding only the types entitlements may have.
func ParseEntitlements(data []byte) (*Entitlements, error) {
	var v any
	format, err := plist.Unmarshal(data, &v)
	if err != nil {
		return nil, fmt.Errorf("not a valid plist: %w", err)
	}
	if format != plist.XMLFormat {
		return nil, fmt.Errorf("a %s plist; codesign embeds entitlements as an XML plist (convert it with plutil -convert xml1)", plist.FormatNames[format])
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("its top level is not a <dict>")
	}
	if err := checkValue("", dict); err != nil {
		return nil, err
	}
	return &Entitlements{xml: data, values: dict}, nil
}

func checkValue(key string, v any) error {
	switch v := v.(type) {
	case bool, string, uint64, int64:
		return nil
	case []any:
		for _, e := range v {
			if err := checkValue(key, e); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		for k, e := range v {
			if err := checkValue(k, e); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("entitlement %q holds a %T; entitlements hold booleans, strings, integers, arrays and dictionaries", key, v)
	}
}

// execSegFlags are the flags some entitlements imply for the main
// executable's segment.
func (e *Entitlements) execSegFlags() uint64 {
	if e == nil {
		return 0
	}
	var f uint64
	for _, k := range []string{"get-task-allow", "run-unsigned-code"} {
		if b, _ := e.values[k].(bool); b {
			f |= execSegAllowUnsigned
		}
	}
	return f
}

// blobs returns the XML and DER entitlement blobs.
func (e *Entitlements) blobs() (xmlBlob, derBlob []byte) {
	b := cryptobyte.NewBuilder(nil)
	// [APPLICATION 16] { INTEGER 1, value }: Apple's DER form of a plist.
	b.AddASN1(cbasn1.Tag(16).Constructed()|0x40, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		derValue(b, e.values)
	})
	der := b.BytesOrPanic() // only fails on a programming error
	return blob(magicEntitlements, e.xml), blob(magicEntitlementDER, der)
}

// derValue writes one plist value: a dictionary is [CONTEXT 16] holding a
// SEQUENCE {UTF8String key, value} per entry, sorted by key; an array is
// a SEQUENCE.
func derValue(b *cryptobyte.Builder, v any) {
	switch v := v.(type) {
	case bool:
		b.AddASN1Boolean(v)
	case string:
		b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
	case uint64:
		b.AddASN1Uint64(v)
	case int64:
		b.AddASN1Int64(v)
	case []any:
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, e := range v {
				derValue(b, e)
			}
		})
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.AddASN1(cbasn1.Tag(16).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			for _, k := range keys {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(k)) })
					derValue(b, v[k])
				})
			}
		})
	}
}
