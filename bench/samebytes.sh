#!/bin/sh
# Builds examples/hello and examples/webui with every format, unsigned and
# signed, with bundle as committed at REV (default HEAD) and as in the
# working tree, and compares their checksums.txt: a refactoring must give
# the same bytes. Usage: bench/samebytes.sh [REV]
set -eu
rev=${1:-HEAD}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/base" 2>/dev/null; rm -rf "$tmp"' EXIT
git -C "$root" worktree add --detach "$tmp/base" "$rev" >/dev/null
(cd "$tmp/base" && go build -o "$tmp/bundle-base" ./cmd/bundle)
(cd "$root" && go build -o "$tmp/bundle-new" ./cmd/bundle)
cd "$root"
go run ./bench/samebytes -bundle "$tmp/bundle-base" -keys "$tmp/keys" -out "$tmp/base-sums" -repo "$tmp/base"
go run ./bench/samebytes -bundle "$tmp/bundle-new" -keys "$tmp/keys" -out "$tmp/new-sums" -repo "$tmp/base"
if diff -r "$tmp/base-sums" "$tmp/new-sums"; then
	echo "same bytes: $(cat "$tmp"/new-sums/*.txt | wc -l) artifacts of $rev and the working tree"
else
	echo "the working tree makes other bytes than $rev" >&2
	exit 1
fi
