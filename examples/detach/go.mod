module github.com/bundlekit/bundle/examples/detach

go 1.21
