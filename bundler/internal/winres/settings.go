package winres

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// ManifestSettings picks the settings a reader cares about out of an
// application manifest, as "label: value": the execution level, DPI
// awareness, long paths, the code page and Common Controls, in that
// order. A manifest that is not well-formed XML is an error.
func ManifestSettings(manifest string) ([]string, error) {
	labels := []struct{ element, label string }{
		{"requestedExecutionLevel", "execution level"}, {"dpiAwareness", "DPI awareness"},
		{"longPathAware", "long paths"}, {"activeCodePage", "code page"}, {"assemblyIdentity", "common controls"},
	}
	found := map[string]string{}
	d := xml.NewDecoder(strings.NewReader(manifest))
	text := "" // the element whose text is a setting, while inside it
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch name := t.Name.Local; name {
			case "requestedExecutionLevel":
				found[name] = attr(t, "level")
			case "assemblyIdentity":
				if attr(t, "name") == "Microsoft.Windows.Common-Controls" {
					found[name] = "v" + strings.SplitN(attr(t, "version"), ".", 2)[0]
				}
			case "dpiAwareness", "longPathAware", "activeCodePage":
				text = name
			}
		case xml.CharData:
			if v := strings.TrimSpace(string(t)); text != "" && v != "" {
				found[text] = v
			}
		case xml.EndElement:
			text = ""
		}
	}
	var out []string
	for _, l := range labels {
		if v, ok := found[l.element]; ok {
			out = append(out, l.label+": "+v)
		}
	}
	return out, nil
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// ManifestSettings is ManifestSettings of the resources' manifest.
func (r *Resources) ManifestSettings() ([]string, error) { return ManifestSettings(r.Manifest) }
