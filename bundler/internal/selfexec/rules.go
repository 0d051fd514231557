package selfexec

import (
	"go/ast"
	"go/constant"
	"go/types"
)

// This file says what counts as launching a program and what counts as the app's own path.
// Functions are keyed by types.Func.FullName, so only the real standard library objects match,
// however the package was imported.

// launcher is a call that starts a program, with the index of the argument naming the program.
type launcher struct {
	programArg int
	fix        string
}

const (
	fixSpawn = "run the helper as a registered worker (worker.Register, then Start), " +
		"use worker.Command if the relaunch is intended, or bundle with runtime.guard: chain (the default: relaunches run, a naive relaunch cannot multiply) or warn"
	// syscall.Exec keeps the process id, which the guard allows, so the risk is an endless exec loop, not a fork bomb.
	fixInPlace = "an in-place exec keeps the process id and passes the guard, " +
		"so make sure the new image cannot exec itself again (check an argument or environment variable first)"
)

var launchers = map[string]launcher{
	"os/exec.Command":        {programArg: 0, fix: fixSpawn},
	"os/exec.CommandContext": {programArg: 1, fix: fixSpawn},
	"os.StartProcess":        {programArg: 0, fix: fixSpawn},
	"syscall.ForkExec":       {programArg: 0, fix: fixSpawn},
	"syscall.Exec":           {programArg: 0, fix: fixInPlace},
}

// cmdPathCall names a write to exec.Cmd.Path in findings: Start runs whatever the field holds.
const cmdPathCall = "exec.Cmd.Path"

func isCmdPath(v *types.Var) bool {
	return v.IsField() && v.Pkg() != nil && v.Pkg().Path() == "os/exec" && v.Name() == "Path"
}

// Where the app's own path comes from, as Finding.Via spells it.
const (
	viaExecutable = "os.Executable()"
	viaArgs0      = "os.Args[0]"
	viaProcSelf   = `"/proc/self/exe"`
)

const executableFunc = "os.Executable"

func isOSArgs(v *types.Var) bool {
	return v != nil && v.Pkg() != nil && v.Pkg().Path() == "os" && v.Name() == "Args" && !v.IsField()
}

func isZero(info *types.Info, e ast.Expr) bool {
	v := info.Types[e].Value
	return v != nil && v.Kind() == constant.Int && constant.Sign(v) == 0
}

// isProcSelfExe reports a constant "/proc/self/exe", written out or named.
func isProcSelfExe(info *types.Info, e ast.Expr) bool {
	v := info.Types[e].Value
	return v != nil && v.Kind() == constant.String && constant.StringVal(v) == "/proc/self/exe"
}

// pathPreserving functions return their first argument tidied up: the result still names the app itself.
var pathPreserving = map[string]bool{
	"path/filepath.EvalSymlinks": true,
	"path/filepath.Abs":          true,
	"path/filepath.Clean":        true,
	"os/exec.LookPath":           true,
}
