package bundler

import (
	"context"

	"github.com/bundlekit/bundle/bundler/internal/merge"
)

// MergeOptions are Merge's settings besides its inputs and dist.
type MergeOptions struct {
	// Clean first removes what earlier builds wrote in dist.
	Clean bool
	// Config is the bundle.yaml whose update section signs the joined
	// update feeds; read only when the inputs hold feeds.
	Config string
	// Waiting is called once when another build holds dist's lock.
	Waiting func()
}

// Merge joins the dists of a CI matrix's jobs (each built with --split)
// into dist: the files, one checksums.txt and one artifacts.json, and one
// update feed per channel, which lists every job's files and is signed
// again with the update key of o.Config.
func Merge(ctx context.Context, inputs []string, dist string, o MergeOptions) (Manifest, error) {
	m, err := merge.Run(ctx, inputs, dist, merge.Options(o))
	return manifestOf(m), err
}
