package artifact

import (
	"context"
	"fmt"
	"time"
)

// lockPoll is how often a build waiting for dist tries its lock again.
// Polling, because neither a blocking flock nor LockFileEx can be
// cancelled.
const lockPoll = 100 * time.Millisecond

// waitForLock calls try until it takes dist's lock (held false, err nil)
// or fails. While another build holds the lock (held true) it calls
// waiting once and tries again every lockPoll until ctx is done.
func waitForLock(ctx context.Context, dist string, waiting func(), try func() (held bool, err error)) error {
	for told := false; ; told = true {
		held, err := try()
		switch {
		case err != nil:
			return fmt.Errorf("lock %s: %w", distFolder(dist), err)
		case !held:
			return nil
		}
		if !told && waiting != nil {
			waiting()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", distFolder(dist), context.Cause(ctx))
		case <-time.After(lockPoll):
		}
	}
}
