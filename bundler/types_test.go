package bundler

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/doctor"
	"github.com/bundlekit/bundle/bundler/internal/inspect"
	"github.com/bundlekit/bundle/bundler/internal/macsign"
	"github.com/bundlekit/bundle/bundler/internal/merge"
	"github.com/bundlekit/bundle/bundler/internal/pipeline"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/publish"
	"github.com/bundlekit/bundle/bundler/internal/scaffold"
	"github.com/bundlekit/bundle/bundler/internal/verify"
	"github.com/bundlekit/bundle/bundler/internal/winres"
)

// counterparts pairs each public struct with the internal one it is
// converted from or to. internalOnly names the internal fields a program
// embedding bundle cannot use, so the public type leaves them out.
var counterparts = []struct {
	public, internal any
	internalOnly     []string
}{
	{BuildOptions{}, pipeline.Options{}, []string{"Notary"}}, // of an internal type; nil is Apple's service
	{BuildResult{}, pipeline.Result{}, nil},
	{Event{}, pipeline.Event{}, nil},
	{Skip{}, pipeline.Skip{}, nil},
	{Target{}, platform.Target{}, nil},
	{Manifest{}, artifact.Manifest{}, nil},
	{Artifact{}, artifact.Artifact{}, nil},
	{Report{}, inspect.Report{}, nil},
	{Executable{}, inspect.Executable{}, nil},
	{Hook{}, inspect.Hook{}, nil},
	{WindowsResources{}, winres.Resources{}, nil},
	{VersionInfo{}, winres.ParsedVersion{}, nil},
	{VersionString{}, winres.VersionString{}, nil},
	{CodeSignature{}, macsign.Info{}, nil},
	{Package{}, inspect.Package{}, nil},
	{Field{}, inspect.Field{}, nil},
	{MacApp{}, inspect.MacApp{}, nil},
	{Archive{}, inspect.Archive{}, nil},
	{Entry{}, inspect.Entry{}, nil},
	{MSI{}, inspect.MSI{}, nil},
	{MSIFile{}, inspect.MSIFile{}, nil},
	{InitResult{}, scaffold.Project{}, nil},
	{License{}, scaffold.License{}, nil},
	{File{}, config.File{}, nil},
	{Gitignore{}, scaffold.Gitignore{}, nil},
	{ToolCheck{}, doctor.Check{}, []string{"Tool"}}, // of an internal type; its name, command and install line are fields
	{VerifyOptions{}, verify.Options{}, nil},
	{VerifyReport{}, verify.Report{}, nil},
	{MergeOptions{}, merge.Options{}, nil},
	{PublishOptions{}, publish.Settings{}, nil},
	{PublishResult{}, publish.Summary{}, nil},
}

// TestPublicTypesMatchInternal fails when an internal type gains, loses,
// renames or reorders a field, or changes a JSON name, and its public
// counterpart does not follow; when a public type is an alias; and when a
// public struct has no counterpart listed.
func TestPublicTypesMatchInternal(t *testing.T) {
	listed := map[string]bool{}
	for _, c := range counterparts {
		pub, in := reflect.TypeOf(c.public), reflect.TypeOf(c.internal)
		listed[pub.Name()] = true
		if pub.PkgPath() != "github.com/bundlekit/bundle/bundler" {
			t.Errorf("%s is an alias: declare it in package bundler, so go doc shows its fields", pub)
		}
		var want []string
		for f := range in.Fields() {
			if f.IsExported() && !slices.Contains(c.internalOnly, f.Name) {
				want = append(want, f.Name+" "+f.Tag.Get("json"))
			}
		}
		var got []string
		for f := range pub.Fields() {
			got = append(got, f.Name+" "+f.Tag.Get("json"))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s has fields (with JSON names)\n\t%s\nbut %s has\n\t%s", pub, strings.Join(got, ", "), in, strings.Join(want, ", "))
		}
	}
	for _, name := range declared(t, ".", func(s *ast.TypeSpec) bool { _, ok := s.Type.(*ast.StructType); return ok }) {
		if !listed[name] {
			t.Errorf("the public struct %s has no row in counterparts", name)
		}
	}
}

// TestEventKinds checks that the public kinds are the pipeline's, by name
// and value, so that eventOf can convert a kind as a number.
func TestEventKinds(t *testing.T) {
	isKind := func(v *ast.ValueSpec) bool { id, ok := v.Type.(*ast.Ident); return ok && id.Name == "EventKind" }
	public, internal := consts(t, ".", isKind), consts(t, "internal/pipeline", isKind)
	if !slices.Equal(public, internal) {
		t.Errorf("the public event kinds are %v, the pipeline's %v", public, internal)
	}
	for _, k := range []struct {
		public   EventKind
		internal pipeline.EventKind
	}{
		{Started, pipeline.Started}, {Compiling, pipeline.Compiling}, {Compiled, pipeline.Compiled},
		{Packaged, pipeline.Packaged}, {Skipped, pipeline.Skipped}, {Warned, pipeline.Warned},
		{Waiting, pipeline.Waiting}, {Noted, pipeline.Noted}, {Notarizing, pipeline.Notarizing},
	} {
		if int(k.public) != int(k.internal) {
			t.Errorf("public kind %d is the pipeline's %d", k.public, k.internal)
		}
	}
	if GitignoreWritten != scaffold.GitignoreWritten || GitignoreExtended != scaffold.GitignoreExtended {
		t.Errorf("Gitignore.Change values %q, %q are scaffold's %q, %q", GitignoreWritten, GitignoreExtended, scaffold.GitignoreWritten, scaffold.GitignoreExtended)
	}
}

// TestConversionsCopyEveryField fills every field of an internal value,
// converts it and checks that no field of the result is left zero, and,
// for what is printed as JSON, that the JSON is the internal type's.
func TestConversionsCopyEveryField(t *testing.T) {
	var ev pipeline.Event
	var res pipeline.Result
	var rep inspect.Report
	var man artifact.Manifest
	var proj scaffold.Project
	var check doctor.Check
	for _, v := range []any{&ev, &res, &rep, &man, &proj, &check} {
		fill(t, reflect.ValueOf(v).Elem())
	}
	for _, c := range []struct {
		name       string
		in, out    any
		jsonShared bool
	}{
		{"eventOf", ev, eventOf(ev), false},
		{"buildResultOf", res, buildResultOf(&res), false},
		{"reportOf", rep, reportOf(&rep), true},
		{"manifestOf", man, manifestOf(man), true},
		{"artifactManifest", man, artifactManifest(manifestOf(man)), true},
		{"initResultOf", proj, initResultOf(proj), false},
		{"toolChecksOf", []doctor.Check{check}, toolChecksOf([]doctor.Check{check}), true},
	} {
		for _, z := range zeroFields(reflect.ValueOf(c.out), "") {
			t.Errorf("%s leaves %s zero", c.name, z)
		}
		if c.jsonShared {
			in, _ := json.Marshal(c.in)
			out, _ := json.Marshal(c.out)
			if string(in) != string(out) {
				t.Errorf("%s: the JSON is\n%s\nnot\n%s", c.name, out, in)
			}
		}
	}

	var o BuildOptions
	fill(t, reflect.ValueOf(&o).Elem())
	var got []Event
	o.OnEvent = func(e Event) { got = append(got, e) }
	p := pipelineOptions(o)
	for _, z := range zeroFields(reflect.ValueOf(p), "") {
		if z != ".Notary" {
			t.Errorf("pipelineOptions leaves %s zero", z)
		}
	}
	p.OnEvent(ev)
	if len(got) != 1 || !reflect.DeepEqual(got[0], eventOf(ev)) {
		t.Errorf("OnEvent got %+v, want %+v", got, eventOf(ev))
	}
}

// fill sets every exported field of v, at every depth, to a value that is
// not zero: a slice holds one filled element, a pointer points to a filled
// value.
func fill(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(t, s.Index(0))
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			fill(t, v.Index(i))
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(t, p.Elem())
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i))
			}
		}
	case reflect.Func:
		v.Set(reflect.MakeFunc(v.Type(), func([]reflect.Value) []reflect.Value { return nil }))
	default:
		t.Fatalf("fill: add a case for %s", v.Type())
	}
}

// zeroFields lists the paths of the zero fields of v, looking into the
// structs, pointers and slices of the module's own types; a slice is
// looked into at its first element.
func zeroFields(v reflect.Value, path string) []string {
	own := func(t reflect.Type) bool { return strings.HasPrefix(t.PkgPath(), "github.com/bundlekit/bundle/") }
	switch {
	case v.IsZero() || v.Kind() == reflect.Slice && v.Len() == 0:
		return []string{path}
	case v.Kind() == reflect.Pointer && own(v.Type().Elem()):
		return zeroFields(v.Elem(), path)
	case v.Kind() == reflect.Slice:
		return zeroFields(v.Index(0), path+"[0]")
	case v.Kind() != reflect.Struct || !own(v.Type()):
		return nil
	}
	var zero []string
	for i := range v.NumField() {
		if f := v.Type().Field(i); f.IsExported() {
			zero = append(zero, zeroFields(v.Field(i), path+"."+f.Name)...)
		}
	}
	return zero
}

// declared lists the exported types declared in the package in dir that
// keep.
func declared(t *testing.T, dir string, keep func(*ast.TypeSpec) bool) []string {
	var names []string
	for _, d := range decls(t, dir, token.TYPE) {
		for _, s := range d.Specs {
			if s := s.(*ast.TypeSpec); s.Name.IsExported() && keep(s) {
				names = append(names, s.Name.Name)
			}
		}
	}
	return names
}

// consts lists, in order, the constants of the package in dir declared in
// a block whose first constant keep.
func consts(t *testing.T, dir string, keep func(*ast.ValueSpec) bool) []string {
	var names []string
	for _, d := range decls(t, dir, token.CONST) {
		if !keep(d.Specs[0].(*ast.ValueSpec)) {
			continue
		}
		for _, s := range d.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				names = append(names, n.Name)
			}
		}
	}
	return names
}

// decls are the declarations of tok in the non-test files of the package
// in dir.
func decls(t *testing.T, dir string, tok token.Token) []*ast.GenDecl {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []*ast.GenDecl
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if d, ok := d.(*ast.GenDecl); ok && d.Tok == tok {
				out = append(out, d)
			}
		}
	}
	return out
}
