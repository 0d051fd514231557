// Package update is the app side of bundle's update feeds: it finds,
// verifies, downloads and installs the next version of the running app,
// relaunches into it, and rolls back a new version that does not prove
// healthy.
//
//	u, err := update.New(update.Config{})         // bundle build compiles the feed URL, keys and version in
//	a, err := u.Check(ctx)                         // nil when there is nothing newer
//	path, err := u.Download(ctx, a, progress)
//	applied, err := u.Apply(ctx, a, path)
//	err = applied.Restart(ctx, update.RestartOptions{}) // nil: exit; the new version calls update.Healthy()
//
// What is checked before anything on disk changes: the feed's minisign
// signature against the keys compiled into the app (so a rotated-out or
// unknown key is refused), its expiry, that it is not older than a feed
// already seen (a replay) and offers no older version (a downgrade) unless
// allowed, that it is this app's and channel's, that it names a file for
// this OS, architecture and install kind, that every URL and redirect is
// https (http only to this machine), and, after the download, the file's
// size and SHA-256. Each refusal is one error wrapping one of the Err
// values, and the installed app is not touched.
//
// The package uses the standard library and golang.org/x/sys only, so an
// app imports it cheaply; the guard of package worker is the path every
// relaunch takes.
package update
