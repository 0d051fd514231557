# bundle's own build. `make demo` bundles examples/hello into dist/;
# `make test` runs every check CI runs.
GO     ?= go
BUNDLE := bin/bundle
# Go modules of this repository besides the root one.
MODULES := runtimehooks examples/hello examples/respawn examples/webui examples/detach examples/supervisor examples/updater bench/workerstart bench/updatestart

.PHONY: all build demo test vet fmt tidy bench clean

all: build

build:
	$(GO) build -o $(BUNDLE) ./cmd/bundle

demo: build
	$(BUNDLE) build --config examples/hello/bundle.yaml --dist dist --clean --skip-unavailable

vet:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@for m in $(MODULES); do (cd $$m && $(GO) vet ./...) || exit 1; done

# The tests build with the flags bundle builds apps with (-trimpath, no
# cgo), so the test binaries, the bundle they run, the examples they build
# with go build and the apps bundle builds for this machine share one
# compile of each package in the build cache.
test: export GOFLAGS := $(strip $(shell $(GO) env GOFLAGS) -trimpath)
test: export CGO_ENABLED := 0
test: vet
	$(GO) test -timeout 30m ./...
	@for m in $(MODULES); do (cd $$m && $(GO) test -timeout 30m ./...) || exit 1; done

bench: build
	bench/build.sh

fmt:
	gofmt -w .

# nfpm's own tests import a module the proxy does not serve; -e tidies the
# rest (only nfpm's deb, rpm, apk and arch packages are built).
tidy:
	$(GO) mod tidy -e

clean:
	rm -rf bin dist
