package gomod

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// A field of Package that listFields leaves out would stay empty: go list
// -json=... prints only the fields it names.
func TestListFieldsNamePackagesFields(t *testing.T) {
	var want []string
	for f := range reflect.TypeFor[Package]().Fields() {
		want = append(want, f.Name)
	}
	got := strings.Split(listFields, ",")
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("listFields %v, Package has %v", got, want)
	}
}

func TestListReadsTheNamedFields(t *testing.T) {
	pkgs, err := List(t.Context(), ".", nil, nil, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 {
		t.Fatalf("%d packages", len(pkgs))
	}
	p := pkgs[0]
	if p.Name != "gomod" || p.Module == nil || !p.Module.Main || !slices.Contains(p.GoFiles, "gomod.go") || !slices.Contains(p.Deps, "os/exec") || p.Error != nil {
		t.Errorf("go list gave %+v", p)
	}
}
