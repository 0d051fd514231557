package selfexec

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// flow tracks which variables of the app can hold the app's own path: locals, package-level
// variables, struct fields, parameters and function results alike, across all of the app's packages.
//
// It is flow-insensitive: a variable that is assigned the app's path anywhere counts as holding it
// everywhere. That keeps the analysis small, and its error is on the side of reporting a launch
// that may run the app.
type flow struct {
	assignments []assignment
	holds       map[*types.Var]string // variable -> how the app's path reached it (Finding.Via)
}

// assignment is a value stored into a variable: by an assignment or declaration, a struct literal,
// a call binding an argument to a parameter, or a return statement binding a result.
type assignment struct {
	info   *types.Info
	to     target
	from   ast.Expr
	result int // which value of the multi-value call `from` is stored; 0 for a single value
}

// target is a variable being written, and where; v is nil for the blank identifier or a non-variable.
type target struct {
	v  *types.Var
	at token.Pos
}

func newFlow() *flow {
	return &flow{holds: make(map[*types.Var]string)}
}

// assign records targets[i] = values[i], or, for a single multi-value call, targets[i] = its i-th result.
// A nil target (blank, or not a variable) stores nothing.
func (f *flow) assign(info *types.Info, targets []target, values []ast.Expr) {
	spread := len(values) == 1 && len(targets) > 1
	for i, to := range targets {
		if to.v == nil {
			continue
		}
		switch {
		case spread:
			f.assignments = append(f.assignments, assignment{info, to, values[0], i})
		case i < len(values):
			f.assignments = append(f.assignments, assignment{info, to, values[i], 0})
		}
	}
}

// solve marks every variable that can hold the app's path, repeating until nothing changes,
// because a variable may be read before the assignment that marks it is seen.
func (f *flow) solve() {
	for changed := true; changed; {
		changed = false
		for _, a := range f.assignments {
			if _, known := f.holds[a.to.v]; known {
				continue
			}
			if via := f.origin(a.info, a.from, a.result); via != "" {
				f.holds[a.to.v] = via
				changed = true
			}
		}
	}
}

// origin says how the result-th value of e comes from the app's own path, or "" if it does not.
func (f *flow) origin(info *types.Info, e ast.Expr, result int) string {
	e = ast.Unparen(e)
	if isProcSelfExe(info, e) {
		return viaProcSelf
	}
	switch e := e.(type) {
	case *ast.Ident, *ast.SelectorExpr:
		return f.holds[variable(info, e)]
	case *ast.IndexExpr:
		if isOSArgs(variable(info, e.X)) && isZero(info, e.Index) {
			return viaArgs0
		}
	case *ast.CallExpr:
		return f.callOrigin(info, e, result)
	}
	return ""
}

func (f *flow) callOrigin(info *types.Info, call *ast.CallExpr, result int) string {
	if fn := typeutil.StaticCallee(info, call); fn != nil && result == 0 {
		switch name := fn.FullName(); {
		case name == executableFunc:
			return viaExecutable
		case pathPreserving[name] && len(call.Args) > 0:
			return f.origin(info, call.Args[0], 0)
		}
	}
	if sig := calleeSignature(info, call); sig != nil && result < sig.Results().Len() {
		return f.holds[sig.Results().At(result)]
	}
	return ""
}

// calleeSignature returns the declared signature of the function a call runs, when that is known
// statically: a named function or method (a generic one as declared), or a function literal called in place.
func calleeSignature(info *types.Info, call *ast.CallExpr) *types.Signature {
	if fn := typeutil.StaticCallee(info, call); fn != nil {
		return fn.Signature()
	}
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		sig, _ := info.TypeOf(lit).(*types.Signature)
		return sig
	}
	return nil
}

// variable returns the variable or struct field an identifier or selector denotes, or nil.
// Instantiated generic variables map to their declaration, so all instances share one entry.
func variable(info *types.Info, e ast.Expr) *types.Var {
	var id *ast.Ident
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		id = e
	case *ast.SelectorExpr:
		id = e.Sel
	default:
		return nil
	}
	obj := info.Defs[id]
	if obj == nil {
		obj = info.Uses[id]
	}
	if v, ok := obj.(*types.Var); ok {
		return v.Origin()
	}
	return nil
}
