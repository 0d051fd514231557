module github.com/bundlekit/bundle/bench/workerstart

go 1.21

require github.com/bundlekit/bundle/runtimehooks v0.0.0-00010101000000-000000000000

replace github.com/bundlekit/bundle/runtimehooks => ../../runtimehooks
