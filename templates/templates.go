// Package templates holds every text file bundle generates (installer
// scripts, manifests, desktop entries, the starter bundle.yaml …) as
// text/template files, embedded so the bundle binary is self-contained.
package templates

import (
	"bytes"
	"embed"
	"encoding/xml"
	"fmt"
	"strings"
	"text/template"
)

//go:embed init hook linux windows macos
var files embed.FS

// Render executes the template at name (such as "init/bundle.yaml.tmpl")
// with data.
func Render(name string, data any) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).ParseFS(files, name)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, lastElem(name), data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// funcs are the helpers templates may use.
var funcs = template.FuncMap{
	// xml escapes text for an XML element or attribute value.
	"xml": func(s string) string {
		var b strings.Builder
		xml.EscapeText(&b, []byte(s))
		return b.String()
	},
}

func lastElem(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			return name[i+1:]
		}
	}
	return name
}
