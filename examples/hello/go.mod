module github.com/bundlekit/bundle/examples/hello

go 1.21
