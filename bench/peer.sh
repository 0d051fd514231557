#!/usr/bin/env bash
# bundle build against GoReleaser OSS on the same work: a copy of
# examples/hello, 6 targets, tar.gz (zip for Windows), deb, rpm, apk and
# archlinux packages and checksums, with a warm Go build cache. For
# fairness neither signs nor writes an SBOM, and bundle compiles without its
# runtime hook (GoReleaser has none). GoReleaser is installed with go
# install into this script's own temporary folder. Runs are interleaved
# pairs; the table has the medians of whole-process wall time, CPU time
# (user+sys of the process and every process it waited for) and the peak
# resident memory of the tool's own process. Usage:
#   bench/peer.sh [runs]        (default 5 pairs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
goreleaser_version=v2.15.1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/bundle" ./cmd/bundle
go build -o "$work/peakrss" ./bench/peakrss
GOBIN="$work/bin" go install "github.com/goreleaser/goreleaser/v2@$goreleaser_version"

app="$work/hello"
cp -r examples/hello "$app"
# The Windows icon and the macOS .app are bundle's extras; GoReleaser
# makes neither, so both are left out.
grep -v '^icon:' examples/hello/bundle.yaml | awk '
	/^formats:/ { print "formats:\n  linux: [tar.gz, deb, rpm, apk, archlinux]\n  windows: [zip]\n  darwin: [tar.gz]"; skip = 1; next }
	skip && /^[[:space:]]/ { next }
	{ skip = 0; print }
	END { print "sbom: false\nruntime:\n  hook: false" }
' >"$app/bundle.yaml"
cat >"$app/.goreleaser.yaml" <<'EOF'
version: 2
project_name: hello
builds:
  - main: .
    binary: hello
    env: [CGO_ENABLED=0]
    goos: [linux, windows, darwin]
    goarch: [amd64, arm64]
    flags: [-trimpath]
    ldflags: ["-s -w -buildid= -X main.version={{.Version}}"]
    mod_timestamp: "{{ .CommitTimestamp }}"
archives:
  - formats: [tar.gz]
    format_overrides:
      - goos: windows
        formats: [zip]
    files: [LICENSE]
nfpms:
  - package_name: hello
    vendor: The bundle authors
    maintainer: The bundle authors <bundle@example.com>
    homepage: https://github.com/bundlekit/bundle
    description: Small greeter that shows what bundle makes
    license: MIT
    formats: [deb, rpm, apk, archlinux]
checksum:
  name_template: checksums.txt
snapshot:
  version_template: "1.0.0"
changelog:
  disable: true
EOF
# GoReleaser reads the commit; bundle takes its file times from it too.
git -C "$app" init -q
git -C "$app" add -A
git -C "$app" -c user.name=bench -c user.email=bench@example.com commit -qm hello
git -C "$app" tag v1.0.0

export SOURCE_DATE_EPOCH=1700000000

bundle_once() { # figures file
	(cd "$app" && "$work/peakrss" -o "$1" -- "$work/bundle" build --dist "$work/dist-bundle" --clean \
		>/dev/null 2>"$work/log") || { cat "$work/log" >&2 && return 1; }
}

goreleaser_once() { # figures file
	(cd "$app" && "$work/peakrss" -o "$1" -- "$work/bin/goreleaser" release --snapshot --clean \
		--skip=publish,announce,sign,sbom,validate >/dev/null 2>"$work/log") || { cat "$work/log" >&2 && return 1; }
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i+1)}' "$2" | median; }
ratio() { echo "$1 / $2" | bc -l; }

# Warm the build cache for both, and check that both made what is compared.
bundle_once /dev/null
goreleaser_once /dev/null
for ext in tar.gz zip deb rpm apk pkg.tar.zst; do
	nb=$(find "$work/dist-bundle" -maxdepth 1 -name "*.$ext" | wc -l)
	ng=$(find "$app/dist" -maxdepth 1 -name "*.$ext" | wc -l)
	printf '%-12s bundle %d, goreleaser %d\n' "$ext" "$nb" "$ng"
done

for _ in $(seq "$runs"); do
	bundle_once "$work/bundle.txt"
	goreleaser_once "$work/goreleaser.txt"
done

printf 'examples/hello, 6 targets, %s pairs; %s cores, load average %s\n' "$runs" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %10s %10s %10s\n' "" "wall (s)" "CPU (s)" "RSS (MB)"
for tool in bundle goreleaser; do
	printf '%-22s %10.2f %10.2f %10.0f\n' "$tool" "$(col wall "$work/$tool.txt")" "$(col cpu "$work/$tool.txt")" \
		"$(echo "$(col rss_kb "$work/$tool.txt") / 1024" | bc -l)"
done
printf '%-22s %9.2fx %9.2fx %9.2fx\n' "bundle / goreleaser" \
	"$(ratio "$(col wall "$work/bundle.txt")" "$(col wall "$work/goreleaser.txt")")" \
	"$(ratio "$(col cpu "$work/bundle.txt")" "$(col cpu "$work/goreleaser.txt")")" \
	"$(ratio "$(col rss_kb "$work/bundle.txt")" "$(col rss_kb "$work/goreleaser.txt")")"
