package selfexec

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"
)

// launch is a place that starts a program; it becomes a Finding when the program is the app itself.
type launch struct {
	info    *types.Info
	at      token.Pos
	call    string
	program ast.Expr
	result  int // which value of program, when it is a multi-value call
	fix     string
}

// findInCode reports the launches in the app's own packages whose program is the app's path.
func findInCode(app []*packages.Package, fset *token.FileSet) []Finding {
	flow := newFlow()
	var launches []launch
	for _, pkg := range app {
		w := walker{flow: flow, info: pkg.TypesInfo, launches: &launches}
		for _, file := range pkg.Syntax {
			ast.Walk(w, file)
		}
	}
	flow.solve()

	// Setting exec.Cmd.Path is a launch too: Start runs whatever it holds.
	for _, a := range flow.assignments {
		if isCmdPath(a.to.v) {
			launches = append(launches, launch{a.info, a.to.at, cmdPathCall, a.from, a.result, fixSpawn})
		}
	}

	var findings []Finding
	for _, l := range launches {
		if via := flow.origin(l.info, l.program, l.result); via != "" {
			findings = append(findings, Finding{Pos: fset.Position(l.at), Call: l.call, Via: via, Fix: l.fix})
		}
	}
	return findings
}

// walker visits one package's syntax, recording every assignment into the flow and every launcher call.
// It is copied into each function it enters, so results always belongs to the innermost one.
type walker struct {
	flow     *flow
	info     *types.Info
	results  *types.Tuple // results of the enclosing function, which its return statements assign
	launches *[]launch
}

func (w walker) Visit(n ast.Node) ast.Visitor {
	switch n := n.(type) {
	case *ast.FuncDecl:
		if fn, ok := w.info.Defs[n.Name].(*types.Func); ok {
			w.results = fn.Signature().Results()
		}
	case *ast.FuncLit:
		if sig, ok := w.info.TypeOf(n).(*types.Signature); ok {
			w.results = sig.Results()
		}
	case *ast.ReturnStmt:
		w.flow.assign(w.info, tupleTargets(w.results, n.Pos()), n.Results)
	case *ast.AssignStmt:
		// Compound assignments such as += compute a new string, which is not the app's path.
		if n.Tok == token.ASSIGN || n.Tok == token.DEFINE {
			w.flow.assign(w.info, w.targets(n.Lhs), n.Rhs)
		}
	case *ast.ValueSpec:
		names := make([]ast.Expr, len(n.Names))
		for i, name := range n.Names {
			names[i] = name
		}
		w.flow.assign(w.info, w.targets(names), n.Values)
	case *ast.CompositeLit:
		w.structLiteral(n)
	case *ast.CallExpr:
		w.call(n)
	}
	return w
}

func (w walker) targets(exprs []ast.Expr) []target {
	targets := make([]target, len(exprs))
	for i, e := range exprs {
		targets[i] = target{variable(w.info, e), e.Pos()}
	}
	return targets
}

// structLiteral records the fields a struct literal sets, keyed or in order.
func (w walker) structLiteral(lit *ast.CompositeLit) {
	t := w.info.TypeOf(lit)
	if ptr, ok := t.Underlying().(*types.Pointer); ok { // an elided &T, as in []*exec.Cmd{{Path: p}}
		t = ptr.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return
	}
	targets := make([]target, len(lit.Elts))
	values := make([]ast.Expr, len(lit.Elts))
	for i, elt := range lit.Elts {
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			targets[i], values[i] = target{variable(w.info, kv.Key), kv.Key.Pos()}, kv.Value
		} else {
			targets[i], values[i] = target{st.Field(i).Origin(), elt.Pos()}, elt
		}
	}
	w.flow.assign(w.info, targets, values)
}

// call binds the arguments to the callee's parameters and records the call if it launches a program.
func (w walker) call(call *ast.CallExpr) {
	if sig := calleeSignature(w.info, call); sig != nil {
		params := tupleTargets(sig.Params(), call.Pos())
		if sig.Variadic() {
			// The variadic parameter is a slice; the analysis does not follow values into slices.
			params = params[:len(params)-1]
		}
		w.flow.assign(w.info, params, call.Args)
	}
	fn := typeutil.StaticCallee(w.info, call)
	if fn == nil {
		return
	}
	if l, ok := launchers[fn.FullName()]; ok && l.programArg < len(call.Args) {
		*w.launches = append(*w.launches, launch{
			info:    w.info,
			at:      call.Pos(),
			call:    fn.Pkg().Name() + "." + fn.Name(),
			program: call.Args[l.programArg],
			fix:     l.fix,
		})
	}
}

func tupleTargets(tuple *types.Tuple, at token.Pos) []target {
	targets := make([]target, tuple.Len())
	for i := range targets {
		targets[i] = target{tuple.At(i), at}
	}
	return targets
}
