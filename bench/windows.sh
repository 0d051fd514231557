#!/usr/bin/env bash
# The Windows stage of examples/hello, each figure against a baseline
# measured in the same run:
#  1. making the resources (.ico, manifest, version info -> .syso) against
#     a warm go build of the same target (Go benchmarks, ratio of ns/op);
#  2. the size of the NSIS installer against the zip of the same files;
#  3. bundle build of both Windows arches with zip, nsis and msi, against
#     the same build with zip only (median of runs).
# Usage: bench/windows.sh [runs]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== resources vs compile (go test -bench, windows/amd64)"
go test -run '^$' -bench 'BenchmarkWindows' -benchtime 5x ./bundler/internal/platform/windows | tee "$work/bench.txt" | grep Benchmark
res=$(awk '/BenchmarkWindowsResources-/ {print $3}' "$work/bench.txt")
cached=$(awk '/BenchmarkWindowsResourcesCached/ {print $3}' "$work/bench.txt")
cmp=$(awk '/BenchmarkWindowsCompile/ {print $3}' "$work/bench.txt")
printf 'resources / compile: first build %.3f, with the icon cache %.3f\n' \
	"$(echo "$res / $cmp" | bc -l)" "$(echo "$cached / $cmp" | bc -l)"

go build -o "$work/bundle" ./cmd/bundle
build() { "$work/bundle" build --config examples/hello/bundle.yaml --dist "$work/dist" --clean --target windows/amd64,windows/arm64 "$@" >/dev/null; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { for _ in $(seq "$runs"); do s=$(date +%s.%N); build "$@"; e=$(date +%s.%N); echo "$e - $s" | bc; done | median; }

build
echo "== sizes (windows/amd64)"
zip_size=$(stat -c %s "$work"/dist/hello_*_windows_amd64.zip)
nsis_size=$(stat -c %s "$work"/dist/hello_*_windows_amd64_setup.exe)
msi_size=$(stat -c %s "$work"/dist/hello_*_windows_amd64.msi)
printf 'zip %s B, nsis %s B (%.3fx the zip), msi %s B (%.3fx)\n' "$zip_size" "$nsis_size" \
	"$(echo "$nsis_size / $zip_size" | bc -l)" "$msi_size" "$(echo "$msi_size / $zip_size" | bc -l)"

echo "== bundle build, both Windows arches ($runs runs each, medians)"
z=$(timed --format zip)
a=$(timed --format zip,nsis,msi)
printf 'zip only: %.2fs  zip+nsis+msi: %.2fs  ratio %.2fx\n' "$z" "$a" "$(echo "$a / $z" | bc -l)"
