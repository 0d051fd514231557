module example.com/library

go 1.21

require (
	github.com/docker/docker v1.0.0
	github.com/moby/sys/reexec v0.1.0
	golang.org/x/telemetry v0.0.0-20261111153349-cdaf7e97dd7b
)

// Offline stand-ins with the real module paths: the analysis matches paths, not code.
replace (
	github.com/docker/docker => ./fake/docker
	github.com/moby/sys/reexec => ./fake/reexec
	golang.org/x/telemetry => ./fake/telemetry
)
