// Package exitcode classifies errors by the process exit code the CLI
// reports for them, so the library can say what kind of failure happened
// without knowing anything about the command line.
//
// The codes are part of bundle's contract with users' scripts and CI:
//
//	0  success
//	1  a build or packaging step failed
//	2  usage or configuration error (bad flag, bad bundle.yaml, bad input file)
//	3  a required external tool is missing
//	130  interrupted by SIGINT (Ctrl-C), 128+2 as shells report it
//	143  stopped by SIGTERM, 128+15
//
// An interrupted build stops its programs, removes its temporary files and
// leaves in dist only artifacts it finished.
package exitcode

import "errors"

// Exit codes reported by the bundle command.
const (
	OK          = 0
	Failure     = 1
	Usage       = 2
	MissingTool = 3
	Interrupted = 130 // SIGINT
	Terminated  = 143 // SIGTERM
)

// coded attaches an exit code to an error without changing its message.
type coded struct {
	code int
	err  error
}

func (c *coded) Error() string { return c.err.Error() }
func (c *coded) Unwrap() error { return c.err }

// Config marks err as a usage or configuration error (exit 2). The code
// is named Usage, as the command line's contract names it; the function is
// named for what nearly all of its 110 callers report, something wrong in
// bundle.yaml or the files it names. Renaming either would touch every
// caller for no change in meaning, so the two names stay.
func Config(err error) error { return wrap(Usage, err) }

// Tool marks err as a missing external tool (exit 3).
func Tool(err error) error { return wrap(MissingTool, err) }

func wrap(code int, err error) error {
	if err == nil {
		return nil
	}
	return &coded{code: code, err: err}
}

// Of returns the exit code for err: OK for nil, the code attached by Config
// or Tool, and Failure for every other error.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var c *coded
	if errors.As(err, &c) {
		return c.code
	}
	return Failure
}
