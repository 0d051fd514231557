module example.com/embed

go 1.26.4

require github.com/bundlekit/bundle v0.0.0-00010101000000-000000000000

replace (
	github.com/bundlekit/bundle => ../..
	github.com/bundlekit/bundle/runtimehooks => ../../runtimehooks
)
