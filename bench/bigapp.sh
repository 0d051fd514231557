#!/usr/bin/env bash
# bundle build of a large real app, the GitHub CLI (github.com/cli/cli/v2 at
# a fixed tag, fetched as a Go module), against what a release script does
# without bundle: go build -trimpath of the same main package with the same
# linker flags, then tar czf. linux/amd64 into tar.gz, from a cold Go build
# cache (a fresh GOCACHE for each run) and from a warm one; the runs of both
# are interleaved so they see the same machine load, and the figures are
# medians. Then one 6-target build (bundle init's default targets), for
# bundle's own peak memory. Usage:
#   bench/bigapp.sh [runs]        (default 3 pairs each, cold and warm)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
module=github.com/cli/cli/v2
version=v2.63.0
main=./cmd/gh
version_var=github.com/cli/cli/v2/internal/build.Version

work=$(mktemp -d)
# The module cache is read-only; the copy below is made writable, and so
# are the GOCACHE folders (the go command writes read-only files there).
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

go build -o "$work/bundle" ./cmd/bundle
go build -o "$work/peakrss" ./bench/peakrss

# Outside any module, so nothing is added to this repository's go.mod.
dir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | jq -r .Dir)
app="$work/app"
cp -r "$dir" "$app"
chmod -R u+w "$app"

# bundle init's bundle.yaml, with its targets and formats narrowed to
# linux/amd64 and tar.gz, and no SBOM (the plain build makes none).
(cd "$app" && "$work/bundle" init >/dev/null)
awk '
	/^targets:/ { print "targets: [linux/amd64]"; skip = 1; next }
	/^formats:/ { print "formats:\n  linux: [tar.gz]"; skip = 1; next }
	skip && /^[[:space:]]/ { next }
	{ skip = 0; print }
	END { print "sbom: false" }
' "$app/bundle.yaml" >"$work/bundle.yaml"
mv "$work/bundle.yaml" "$app/bundle.yaml"

export CGO_ENABLED=0 SOURCE_DATE_EPOCH=1700000000

bundle_once() { # GOCACHE, figures file, then bundle build's own options
	local cache=$1 figures=$2
	shift 2
	GOCACHE=$cache "$work/peakrss" -o "$figures" -- "$work/bundle" build --config "$app/bundle.yaml" \
		--dist "$work/dist" --clean --version 1.0.0 "$@" >/dev/null 2>"$work/bundle.log" ||
		{ cat "$work/bundle.log" >&2 && return 1; }
}

# The plain build, as a script of its own so peakrss times all of it.
cat >"$work/plain.sh" <<'EOF'
set -e
out=$1/gh_1.0.0_linux_amd64
rm -rf "$1" && mkdir -p "$out"
cd "$2"
GOOS=linux GOARCH=amd64 go build -trimpath -buildvcs=false \
	-ldflags "-s -w -buildid= -X=$3=1.0.0" -o "$out/gh" "$4"
cp LICENSE "$out/"
tar -C "$1" -czf "$out.tar.gz" "${out##*/}"
EOF

plain_once() { # GOCACHE, figures file
	GOCACHE=$1 "$work/peakrss" -o "$2" -- bash "$work/plain.sh" "$work/plain" "$app" "$version_var" "$main"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i+1)}' "$2" | median; }
ratio() { echo "$1 / $2" | bc -l; }

# Cold: a fresh, empty GOCACHE for every run of either.
for i in $(seq "$runs"); do
	bundle_once "$work/cache-b$i" "$work/cold-bundle"
	plain_once "$work/cache-p$i" "$work/cold-plain"
	chmod -R u+w "$work/cache-b$i" "$work/cache-p$i" && rm -rf "$work/cache-b$i" "$work/cache-p$i"
done
# Warm: one GOCACHE both share, filled first by one run of each.
bundle_once "$work/cache" /dev/null
plain_once "$work/cache" /dev/null
for _ in $(seq "$runs"); do
	bundle_once "$work/cache" "$work/warm-bundle"
	plain_once "$work/cache" "$work/warm-plain"
done
# bundle init's six targets, into tar.gz and zip, with the warm cache of
# linux/amd64 only.
sed -i 's/^targets: .*/targets: [linux\/amd64, linux\/arm64, windows\/amd64, windows\/arm64, darwin\/amd64, darwin\/arm64]/; s/^  linux: \[tar.gz\]/  linux: [tar.gz]\n  windows: [zip]\n  darwin: [tar.gz]/' "$app/bundle.yaml"
bundle_once "$work/cache" "$work/six"

printf '%s@%s %s, linux/amd64 -> tar.gz; %s cores, load average %s\n' "$module" "$version" "$main" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %12s %12s %8s %14s\n' cache "bundle (s)" "plain (s)" ratio "bundle RSS MB"
for c in cold warm; do
	b=$(col wall "$work/$c-bundle") p=$(col wall "$work/$c-plain") rss=$(col rss_kb "$work/$c-bundle")
	printf '%-6s %12.2f %12.2f %7.2fx %14.0f\n' "$c" "$b" "$p" "$(ratio "$b" "$p")" "$(echo "$rss / 1024" | bc -l)"
done
printf 'six targets (%s): %.2fs, bundle RSS %.0f MB\n' "warm linux/amd64 only" "$(col wall "$work/six")" "$(echo "$(col rss_kb "$work/six") / 1024" | bc -l)"
