module github.com/bundlekit/bundle/runtimehooks

go 1.21
