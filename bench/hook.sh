#!/usr/bin/env bash
# Runtime hook benchmarks, each against a baseline measured in the same run:
#  1. start-up: examples/hello built with the hook (bundle build) vs the same
#     flags without it (go build), ratio of medians over many runs;
#  2. worker.Start until the worker function runs, median of 100, vs Python's
#     multiprocessing "spawn" start method when python3 is present;
#  3. what runtimehooks/update adds to start-up when no update is under way:
#     bench/updatestart with the package imported and update.Healthy called
#     vs without, difference of medians in milliseconds.
# The start-up comparison runs three times, and the median ratio is the
# figure. The hooked binary is copied out of its archive with cp, as the
# plain one is written by the linker: on some machines a file written by
# tar -x starts measurably slower than the same bytes written otherwise.
# Usage: bench/hook.sh [runs]   (default 400 start-ups each, per round)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-400}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
host="$(go env GOOS)/$(go env GOARCH)"

go build -o "$work/bundle" ./cmd/bundle
(cd examples/hello && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -buildid= -X main.version=1.0.0" -o "$work/hello-plain" .)
"$work/bundle" build --config examples/hello/bundle.yaml --dist "$work/dist" --target "$host" >/dev/null
tar -xzf "$work"/dist/hello_*.tar.gz -C "$work"
cp "$work"/hello_*/hello "$work/hello-hooked"

echo "== start-up of examples/hello --version ($runs runs each, interleaved, three rounds)"
go build -o "$work/startup" ./bench/startup
ratios=()
for _ in 1 2 3; do
	out=$("$work/startup" -n "$runs" "$work/hello-plain" "$work/hello-hooked" -- --version)
	echo "$out"
	ratios+=("$(echo "$out" | tail -1 | sed -E 's/.*ratio ([0-9.]+)x.*/\1/')")
done
printf 'start-up ratio, median of three rounds: %sx\n' "$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n 2p)"
printf 'size: plain %s bytes, hooked %s bytes\n' "$(stat -c %s "$work/hello-plain")" "$(stat -c %s "$work/hello-hooked")"

echo "== worker start latency"
(cd bench/workerstart && go build -o "$work/workerstart" .)
go_line=$("$work/workerstart" -n 100)
echo "$go_line"
if command -v python3 >/dev/null; then
	py_line=$(python3 bench/workerstart/mp_spawn.py 100)
	echo "$py_line"
	median() { sed -E 's/.*median ([0-9.]+) ms.*/\1/'; }
	printf 'worker.Start is %.1fx faster than multiprocessing spawn (ratio of medians)\n' \
		"$(echo "$(echo "$py_line" | median) / $(echo "$go_line" | median)" | bc -l)"
else
	echo "python3 not found: no multiprocessing baseline"
fi

echo "== start-up cost of runtimehooks/update when no update runs ($runs runs each, interleaved)"
(cd bench/updatestart && CGO_ENABLED=0 go build -trimpath -o "$work/start-plain" . && CGO_ENABLED=0 go build -trimpath -tags update -o "$work/start-update" .)
out=$("$work/startup" -n "$runs" "$work/start-plain" "$work/start-update")
echo "$out"
ms() { echo "$out" | sed -n "$1p" | sed -E 's/.*median +([0-9.]+) ms.*/\1/'; }
printf 'update adds %.3f ms to start-up (median with it minus median without)\n' "$(echo "$(ms 2) - $(ms 1)" | bc -l)"
