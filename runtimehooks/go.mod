module github.com/bundlekit/bundle/runtimehooks

go 1.21

require golang.org/x/sys v0.28.0
