package selfexec

import "fmt"

// Report says what a finding does at run time under a runtime.guard mode (refuse, chain, warn or
// off), and whether it still needs the developer: a warning, or a note when the mode already
// handles it.
//
// Under chain every finding is a note. The runtime lets one relaunch run and stops any quick
// chain at its third generation, however the copy was started, so start-and-detach, a
// supervisor's restarts and a one-off relaunch run as they do unbundled, and a naive relaunch
// from main() cannot multiply. A loop that starts many copies one after the other (a supervisor
// restarting its child, or a bug) stays as it is unbundled: the analysis cannot tell the two
// apart, and neither can nest deeper than two generations, so a warning would only be noise for
// the legitimate pattern. Under warn and off the developer has said the relaunch is intended.
// Only refuse, which ends every such copy with exit status 77, keeps findings as warnings.
func (f Finding) Report(guard string) (message string, warning bool) {
	inPlace := f.Fix == fixInPlace
	var what string
	switch {
	case !f.Pos.IsValid():
		what = fmt.Sprintf("%s: known self-relaunch library", f.Call)
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
		if inPlace {
			return what + "; under runtime.guard: chain the new image runs main(), and a quick chain of execs in place stops at its third generation", false
		}
		return what + "; under runtime.guard: chain the copy runs main() once more, and a quick chain of relaunches stops at its third generation", false
	case "warn":
		return what + "; under runtime.guard: warn " + copyOf + " runs main() with a warning on stderr (more than 8 nested generations are still refused)", false
	case "off":
		return what + "; under runtime.guard: off " + copyOf + " runs main() unchecked", false
	}
	if inPlace {
		// syscall.Exec keeps the process id, which refuse lets through: the risk is an endless exec loop.
		return what + "; under runtime.guard: refuse it passes the guard; " + f.Fix, true
	}
	if !f.Pos.IsValid() {
		return what + "; under runtime.guard: refuse the copy it starts exits 77 at run time; " + f.Fix, true
	}
	return what + "; under runtime.guard: refuse the copy exits 77 at run time; " + f.Fix, true
}
