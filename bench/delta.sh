#!/usr/bin/env bash
# Binary delta size for a real patch release: gh (github.com/cli/cli/v2)
# v2.63.0 and v2.63.1, each fetched as a module, set up with what
# `bundle init` writes plus an update: section, and built for linux/amd64
# as tar.gz; the second build names the first's dist in
# update.delta_from. It prints the delta's size against the archive's
# (the full download), the time the delta took against the build without
# one, bundle's own peak memory in both (bench/peakrss), and checks that
# the delta rebuilds 2.63.1's files from 2.63.0's.
# Usage: bench/delta.sh [old-version new-version]
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:-2.63.0}
new=${2:-2.63.1}
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT

go build -o "$work/bundle" ./cmd/bundle
go build -o "$work/peakrss" ./bench/peakrss
"$work/bundle" update keygen "$work/update.key" >"$work/keygen.txt"
public=$(grep -oE 'RW[A-Za-z0-9+/]{54}' "$work/keygen.txt" | head -1)
export BENCH_UPDATE_KEY
BENCH_UPDATE_KEY=$(cat "$work/update.key")

build() { # version, extra update lines
	local v=$1 extra=${2:-}
	local dir
	dir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/cli/cli/v2@v$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	cp -r "$dir" "$work/gh-$v"
	chmod -R u+w "$work/gh-$v"
	(cd "$work/gh-$v" && "$work/bundle" init >/dev/null)
	cat >>"$work/gh-$v/bundle.yaml" <<EOF
update:
  url: https://example.com/releases/download/v{version}/
  public_keys: [$public]
  key_env: BENCH_UPDATE_KEY
$extra
EOF
	"$work/peakrss" -o "$work/figures-$v" -- "$work/bundle" build --config "$work/gh-$v/bundle.yaml" --version "$v" --target linux/amd64 --format tar.gz --dist "$work/dist-$v" >/dev/null
}

build "$old"
build "$new" "  delta_from: $work/dist-$old"
figure() { sed -E "s/^(.* )?$2 ([0-9.]+).*/\2/" "$work/figures-$1"; }
t_old=$(figure "$old" wall)
t_new=$(figure "$new" wall)
archive=$(ls "$work/dist-$new"/*.tar.gz)
delta=$(ls "$work/dist-$new"/*.delta)
full_size=$(stat -c %s "$archive")
delta_size=$(stat -c %s "$delta")
echo "== gh v$old -> v$new, linux/amd64"
printf 'full download (tar.gz): %d bytes\n' "$full_size"
printf 'delta:                  %d bytes\n' "$delta_size"
printf 'delta / full:           %s\n' "$(echo "scale=4; $delta_size / $full_size" | bc)"
printf 'build time: v%s without a delta %.1f s, v%s with one %.1f s (ratio %s)\n' "$old" "$t_old" "$new" "$t_new" "$(echo "scale=2; $t_new / $t_old" | bc)"
exe_mb=$(($(tar -xzOf "$archive" --wildcards '*/gh' | wc -c) / 1048576))
printf "bundle's peak memory: without a delta %d MB, with one %d MB, for a %d MB executable\n" \
	"$(($(figure "$old" rss_kb) / 1024))" "$(($(figure "$new" rss_kb) / 1024))" "$exe_mb"

# The delta, applied by the client's own code to the old archive's files,
# makes the new archive's.
mkdir "$work/old" "$work/want"
tar -xzf "$work/dist-$old"/*.tar.gz -C "$work/old" --strip-components=1
tar -xzf "$archive" -C "$work/want" --strip-components=1
start=$(date +%s.%N)
go run ./bench/deltacheck "$delta" "$work/old" "$work/made"
printf 'applied by the client in %.1f s (go run included); ' "$(echo "$(date +%s.%N) - $start" | bc)"
diff -r "$work/made" "$work/want" && echo "the files it made are the new release's"
