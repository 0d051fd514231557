#!/usr/bin/env bash
# Times `bundle build` of examples/hello (6 targets, archives) against a
# plain shell loop of `go build` + tar/zip for the same targets, with a warm
# Go build cache, and prints the ratio of the medians. Usage:
#   bench/build.sh [runs]        (default 5 runs each)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d)
nohook="examples/hello/.bundle-test-bench.yaml" # the same app without the runtime hook
trap 'rm -rf "$work" "$nohook"' EXIT
{ cat examples/hello/bundle.yaml; printf 'runtime:\n  hook: false\n'; } > "$nohook"

go build -o "$work/bundle" ./cmd/bundle
app=examples/hello
targets="linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64"

bundle_once() {
	"$work/bundle" build --config "$app/bundle.yaml" --dist "$work/dist" --clean --format tar.gz,zip >/dev/null
}

bundle_nohook_once() {
	"$work/bundle" build --config "$nohook" --dist "$work/dist" --clean --format tar.gz,zip >/dev/null
}

# What a release script without bundle does: one target after another.
plain_once() {
	rm -rf "$work/plain" && mkdir -p "$work/plain"
	for t in $targets; do
		os=${t%/*} arch=${t#*/} exe=hello
		[ "$os" = windows ] && exe=hello.exe
		dir="$work/plain/hello_1.0.0_${os}_${arch}"
		mkdir -p "$dir"
		(cd "$app" && CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
			-ldflags "-s -w -buildid= -X main.version=1.0.0" -o "$dir/$exe" .)
		cp "$app/LICENSE" "$dir/"
		if [ "$os" = windows ]; then
			(cd "$work/plain" && zip -qr -9 "${dir##*/}.zip" "${dir##*/}")
		else
			tar -C "$work/plain" -czf "$dir.tar.gz" "${dir##*/}"
		fi
	done
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

time_runs() {
	local fn=$1
	for _ in $(seq "$runs"); do
		local start end
		start=$(date +%s.%N)
		$fn
		end=$(date +%s.%N)
		echo "$end - $start" | bc
	done
}

bundle_once && bundle_nohook_once && plain_once # warm the build cache for every target
b=$(time_runs bundle_once | median)
n=$(time_runs bundle_nohook_once | median)
p=$(time_runs plain_once | median)
printf 'cores: %s, runs: %s each, warm cache\n' "$(nproc)" "$runs"
printf 'plain go build + tar/zip loop:      %.2fs (median)\n' "$p"
printf 'bundle build:                       %.2fs (median), ratio %.2fx\n' "$b" "$(echo "$b / $p" | bc -l)"
printf 'bundle build, runtime.hook: false:  %.2fs (median), ratio %.2fx\n' "$n" "$(echo "$n / $p" | bc -l)"
