module github.com/bundlekit/bundle/examples/respawn

go 1.21
