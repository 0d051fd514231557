#!/usr/bin/env bash
# Makes a release of the project in the current folder, on this machine:
# checks the git tree is clean, picks the next version after the latest tag
# (bundle version --next), tags it vX.Y.Z (annotated), builds it with
# `bundle build --clean --version X.Y.Z`, checks dist/checksums.txt and
# prints what to upload. A failed build or check deletes the new tag again.
#
#   scripts/release.sh [--dry-run] [--config FILE] [--dist DIR] patch|minor|major|X.Y.Z
#
# --dry-run prints the next version and the plan and changes nothing.
# BUNDLE names the bundle command (default: bundle on PATH).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/release.sh [--dry-run] [--config FILE] [--dist DIR] patch|minor|major|X.Y.Z

Tags the next release vX.Y.Z of the project in the current folder and builds
it into DIR (default dist) with bundle build --clean --version X.Y.Z.
  --dry-run      print the next version and the plan; change nothing
  --config FILE  bundle.yaml to build (default bundle.yaml)
  --dist DIR     output folder (default dist)
USAGE
}

die() {
	echo "release: $1" >&2
	exit "${2:-2}"
}

dry_run=false
config=bundle.yaml
dist=dist
bump=
while [[ $# -gt 0 ]]; do
	case $1 in
	--dry-run | -n) dry_run=true ;;
	--config) [[ $# -ge 2 ]] || die "--config needs a file"; config=$2; shift ;;
	--config=*) config=${1#*=} ;;
	--dist) [[ $# -ge 2 ]] || die "--dist needs a folder"; dist=$2; shift ;;
	--dist=*) dist=${1#*=} ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; die "unknown option $1" ;;
	*)
		[[ -z $bump ]] || die "one version or bump only, got $bump and $1"
		bump=$1
		;;
	esac
	shift
done
[[ -n $bump ]] || { usage >&2; die "say which release: patch, minor, major or X.Y.Z"; }
[[ -n $dist && $dist != . && $dist != / ]] || die "--dist $dist: pick a folder of its own, such as dist"

bundle=${BUNDLE:-bundle}
command -v "$bundle" >/dev/null 2>&1 ||
	die "$bundle not found: build it (make build) and put it on PATH, or set BUNDLE" 3
command -v git >/dev/null 2>&1 || die "git not found: install git" 3
if command -v sha256sum >/dev/null 2>&1; then
	sha256_check=(sha256sum -c)
elif command -v shasum >/dev/null 2>&1; then
	sha256_check=(shasum -a 256 -c)
else
	die "sha256sum not found: install coreutils" 3
fi

git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "$PWD is not in a git work tree"
git rev-parse --verify --quiet HEAD >/dev/null || die "the repository has no commit yet"
# The whole work tree must be clean, apart from the output folder this
# script rewrites (when that folder is outside the repository, git refuses
# the pathspec and the whole tree counts).
dirty=$(git --no-optional-locks status --porcelain -- ':/' ":(exclude)$dist" 2>/dev/null) ||
	dirty=$(git --no-optional-locks status --porcelain)
if [[ -n $dirty ]]; then
	die "the git tree is not clean; commit or stash first:
$dirty"
fi

status=0
next=$("$bundle" version --next "$bump") || status=$?
[[ $status -eq 0 ]] || exit "$status" # bundle printed why
tag="v$next"
if git rev-parse --verify --quiet "refs/tags/$tag" >/dev/null; then
	die "tag $tag already exists"
fi
latest=$(git describe --tags --abbrev=0 HEAD 2>/dev/null || echo "no tag yet")

cat <<PLAN
release $next (after $latest, $bump) of $(git rev-parse --short HEAD)
  1. git tag -a $tag -m "Release $next"
  2. $bundle build --config $config --dist $dist --clean --version $next
  3. cd $dist && ${sha256_check[*]} checksums.txt
  4. upload the artifacts in $dist with checksums.txt and artifacts.json; git push origin $tag
PLAN
if $dry_run; then
	echo "dry run: nothing changed"
	exit 0
fi

git tag -a "$tag" -m "Release $next"
tagged=true
# Take the tag back when anything after it fails: a tag promises a release.
# shellcheck disable=SC2317 # called by the trap
untag() {
	if $tagged; then
		git tag -d "$tag" >/dev/null && echo "release: deleted tag $tag again" >&2
	fi
}
trap untag EXIT

echo "tagged $tag"
"$bundle" build --config "$config" --dist "$dist" --clean --version "$next"
(cd "$dist" && "${sha256_check[@]}" checksums.txt)
tagged=false

echo
echo "Release $next is built. Upload these files from $dist/:"
while read -r _ path; do
	echo "  $dist/$path"
done <"$dist/checksums.txt"
echo "  $dist/checksums.txt"
echo "  $dist/artifacts.json"
echo "Then publish the tag: git push origin $tag"
