module github.com/bundlekit/bundle/bench/updatestart

go 1.21

require github.com/bundlekit/bundle/runtimehooks v0.0.0-00010101000000-000000000000

require golang.org/x/sys v0.28.0 // indirect

replace github.com/bundlekit/bundle/runtimehooks => ../../runtimehooks
