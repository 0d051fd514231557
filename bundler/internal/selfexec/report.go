package selfexec

import "fmt"

// Report says what a finding does at run time under a runtime.guard mode (refuse, chain, warn or
// off), and whether it still needs the developer: a warning, or a note when the mode already
// handles it.
//
// Under chain every finding is a note. A copy of the app runs; a copy of a copy that makes the same
// call (the same arguments in the same folder) runs only as a restart, once its starter has exited,
// so a naive relaunch from main() cannot multiply however it launches and whatever its timing, while
// start-and-detach, supervisors, nested calls, restarts and self-updates run as they do unbundled.
// For a known library the note says what the library does and what the guard does with it. Under
// warn and off the developer has said the relaunch is intended. Only refuse, which ends every such
// copy with exit status 77, keeps findings as warnings.
func (f Finding) Report(guard string) (message string, warning bool) {
	inPlace := f.Fix == fixInPlace
	var what string
	switch {
	case !f.Pos.IsValid():
		what = fmt.Sprintf("%s: known self-relaunch library: %s", f.Call, f.Does)
	case inPlace:
		what = fmt.Sprintf("%s: %s replaces the app with its own executable (%s)", f.Pos, f.Call, f.Via)
	default:
		what = fmt.Sprintf("%s: %s runs the app's own executable (%s)", f.Pos, f.Call, f.Via)
	}
	copyOf := "the copy"
	if inPlace {
		copyOf = "the new image"
	}
	switch guard {
	case "chain":
		switch {
		case !f.Pos.IsValid():
			return what + "; under runtime.guard: chain " + f.Chain, false
		case inPlace:
			return what + "; under runtime.guard: chain the new image runs main(): it starts no process", false
		}
		return what + "; under runtime.guard: chain the copy runs main(), and a copy of a copy making the same call runs only once its starter has exited, so a naive relaunch cannot multiply", false
	case "warn":
		return what + "; under runtime.guard: warn " + copyOf + " runs main() with a warning on stderr (the depth limit and runtime.max_procs still hold)", false
	case "off":
		return what + "; under runtime.guard: off " + copyOf + " runs main() unchecked", false
	}
	if inPlace {
		// syscall.Exec keeps the process id, which refuse lets through once: the risk is an endless exec loop.
		return what + "; under runtime.guard: refuse it passes the guard once; " + f.Fix, true
	}
	if !f.Pos.IsValid() {
		return what + "; under runtime.guard: refuse the copy it starts exits 77 at run time; " + f.Fix, true
	}
	return what + "; under runtime.guard: refuse the copy exits 77 at run time; " + f.Fix, true
}
