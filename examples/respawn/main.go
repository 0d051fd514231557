// Command respawn is the frozen-app fork bomb, made safe to show: it starts
// "a helper" by running its own executable, as
// subprocess.Popen([sys.executable, ...]) does in a frozen Python app. The
// child runs main() again and starts another child, and so on. A hard cap
// of 20 generations keeps an unguarded build from taking the machine down.
//
// Built plainly it reaches the cap (21 processes at once). Built with
// bundle, the runtime hook refuses the first child (exit status 77) and
// main() runs once.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// maxGenerations is the hard cap that makes this demonstration safe.
const maxGenerations = 20

func main() {
	hold := flag.Duration("hold", 2*time.Second, "how long each generation stays alive after its child ends")
	flag.Parse()

	gen, _ := strconv.Atoi(os.Getenv("RESPAWN_GENERATION"))
	fmt.Printf("respawn: generation %d running main() (pid %d)\n", gen, os.Getpid())
	if gen < maxGenerations {
		// The bug: this is meant to start a helper program, but in a frozen
		// app the "interpreter" is the app itself.
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, "respawn:", err)
			os.Exit(1)
		}
		child := exec.Command(self, os.Args[1:]...)
		child.Env = append(os.Environ(), "RESPAWN_GENERATION="+strconv.Itoa(gen+1))
		child.Stdout, child.Stderr = os.Stdout, os.Stderr
		err = child.Run()
		fmt.Printf("respawn: generation %d: child ended: %v\n", gen, describe(err))
	}
	time.Sleep(*hold)
}

func describe(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
