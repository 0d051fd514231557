module github.com/bundlekit/bundle/examples/supervisor

go 1.21
