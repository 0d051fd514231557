#!/usr/bin/env bash
# Memory and time of every format with a big payload. A copy of
# examples/hello (in a temporary folder) ships, through `files:`,
#   big    one 500 MB file of random (incompressible) bytes,
#   small  2,000 small files (2 KiB of random bytes each, in 20 folders),
#   many   10,000 small files (NSIS only, unless FORMATS says otherwise),
# and `bundle build` makes one format for one target per run. Columns:
#   wall     wall-clock seconds of the whole `bundle build` (compile included,
#            the Go build cache is warm)
#   bundle   peak RSS (VmHWM) of the bundle process itself, sampled from
#            /proc every 0.2 s; VmHWM only grows, so a sample taken before
#            bundle exits holds its peak
#   tool     peak RSS of the largest other process bundle ran (makensis,
#            wixl, xorriso …), sampled the same way; the Go toolchain
#            (go, compile, link, asm) is left out: it builds the app, not the
#            package, and is the same for every format
#   maxrss   GNU time's "maximum resident set size": the peak of the largest
#            single process of the whole tree, Go toolchain included
#   size     the artifact
# Usage: bench/bigpayload.sh
# Environment: SCENARIOS (default "big small many"), FORMATS (default every
# format; "many" runs only nsis unless FORMATS is set), BIG_MB (default 500),
# BUNDLE (a bundle binary to measure instead of building ./cmd/bundle).
set -euo pipefail
cd "$(dirname "$0")/.."
scenarios=${SCENARIOS:-big small many}
all_formats="tar.gz deb rpm apk archlinux zip nsis msi msix app dmg"
formats=${FORMATS:-$all_formats}
big_mb=${BIG_MB:-500}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bundle=${BUNDLE:-}
if [ -z "$bundle" ]; then
	bundle=$work/bundle
	go build -o "$bundle" ./cmd/bundle
fi

target_of() {
	case $1 in
	tar.gz | deb | rpm | apk | archlinux) echo linux/amd64 ;;
	zip | nsis | msi | msix) echo windows/amd64 ;;
	app | dmg) echo darwin/amd64 ;;
	*) echo "unknown format $1" >&2 && return 2 ;;
	esac
}

# project SCENARIO: a copy of examples/hello that ships that payload, every
# format enabled.
project() {
	local dir=$work/proj-$1
	cp -r examples/hello "$dir"
	mkdir -p "$dir/payload"
	case $1 in
	big)
		head -c "$((big_mb * 1024 * 1024))" /dev/urandom >"$dir/payload/big.bin"
		;;
	small | many)
		local per=100 d # files per folder
		[ "$1" = many ] && per=500
		for d in $(seq -w 0 19); do
			mkdir -p "$dir/payload/d$d"
			head -c "$((per * 2048))" /dev/urandom | split -b 2048 -a 4 -d - "$dir/payload/d$d/f"
		done
		;;
	esac
	sed -i -E \
		-e 's/^  linux: .*/  linux: [tar.gz, deb, rpm, apk, archlinux]/' \
		-e 's/^  windows: .*/  windows: [zip, nsis, msi, msix]/' \
		-e 's/^  darwin: .*/  darwin: [app, dmg]/' \
		"$dir/bundle.yaml"
	printf '  - src: payload\n    dst: data\n' >>"$dir/bundle.yaml"
	echo "$dir"
}

# sample ROOT OUT: until ROOT exits, writes to OUT the largest VmHWM (KiB)
# seen of the bundle process (ROOT, GNU time, runs it) and of any other
# non-Go-toolchain descendant.
sample() {
	local root=$1 out=$2
	local b=0 tk=0 tn=-
	while kill -0 "$root" 2>/dev/null; do
		# shellcheck disable=SC2016 # awk's own $ fields
		read -r b tk tn < <(ps -e -o pid=,ppid=,comm= | awk -v root="$root" -v b="$b" -v tk="$tk" -v tn="$tn" '
			{ parent[$1] = $2; comm[$1] = $3 }
			END {
				for (p in parent) {
					q = p
					while (q in parent && q != root && q > 1) q = parent[q]
					if (q != root || p == root) continue
					hwm = 0
					while ((getline line < ("/proc/" p "/status")) > 0)
						if (line ~ /^VmHWM:/) { split(line, f, " "); hwm = f[2] }
					close("/proc/" p "/status")
					if (parent[p] == root) { if (hwm > b) b = hwm } # time runs bundle
					else if (comm[p] !~ /^(go|compile|link|asm|cgo|vet|time)$/ && hwm > tk) { tk = hwm; tn = comm[p] }
				}
				print b, tk, tn
			}')
		sleep 0.2
	done
	echo "$b $tk $tn" >"$out"
}

mb() { echo $(($1 / 1024)); }

printf '%-6s %-10s %8s %8s %16s %8s %9s\n' scenario format "wall s" "bundle" "tool (MB)" "maxrss" "size MB"
for s in $scenarios; do
	dir=$(project "$s")
	# Warm the Go build cache for the three targets.
	for t in linux/amd64 windows/amd64 darwin/amd64; do
		"$bundle" build --dist "$work/warm" --target "$t" --format "$( [ "$t" = linux/amd64 ] && echo tar.gz || echo zip)" \
			--config "$dir/bundle.yaml" >/dev/null 2>&1 || true
	done
	rm -rf "$work/warm"
	for f in $formats; do
		if [ "$s" = many ] && [ -z "${FORMATS:-}" ] && [ "$f" != nsis ]; then
			continue
		fi
		dist=$work/dist
		rm -rf "$dist"
		SOURCE_DATE_EPOCH=1767225600 /usr/bin/time -f '%e %M' -o "$work/time" \
			"$bundle" build --dist "$dist" --target "$(target_of "$f")" --format "$f" --config "$dir/bundle.yaml" \
			>"$work/log" 2>&1 &
		pid=$!
		sample "$pid" "$work/peaks" &
		sampler=$!
		status=0
		wait "$pid" || status=$?
		wait "$sampler"
		if [ "$status" != 0 ]; then
			printf '%-6s %-10s FAILED (exit %s): %s\n' "$s" "$f" "$status" "$(tail -n 3 "$work/log" | tr '\n' ' ')"
			continue
		fi
		read -r wall maxrss <"$work/time"
		read -r b tk tn <"$work/peaks"
		size=$(find "$dist" -type f ! -name checksums.txt ! -name artifacts.json -printf '%s\n' | awk '{s += $1} END {printf "%.1f", s / 1048576}')
		printf '%-6s %-10s %8s %8s %16s %8s %9s\n' "$s" "$f" "$wall" "$(mb "$b")" "$(mb "$tk") ($tn)" "$(mb "$maxrss")" "$size"
	done
	rm -rf "$dir"
done
