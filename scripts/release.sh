#!/usr/bin/env bash
# Makes a release of the project in the current folder, on this machine:
# checks the git tree is clean, picks the next version after the latest tag
# (bundle version --next), tags it vX.Y.Z (annotated), builds it with
# `bundle build --clean --version X.Y.Z`, checks dist/checksums.txt and
# prints what to upload, or with --publish pushes the tag and runs
# `bundle publish`. A failed build or check deletes the new tag again.
#
#   scripts/release.sh [--dry-run] [--publish [--repo OWNER/NAME]] [--config FILE] [--dist DIR] patch|minor|major|X.Y.Z
#
# --dry-run prints the next version and the plan and changes nothing.
# --publish needs $GITHUB_TOKEN (checked before anything is tagged) and a
# remote named origin.
# BUNDLE names the bundle command (default: bundle on PATH).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/release.sh [--dry-run] [--publish [--repo OWNER/NAME]] [--config FILE] [--dist DIR] patch|minor|major|X.Y.Z

Tags the next release vX.Y.Z of the project in the current folder and builds
it into DIR (default dist) with bundle build --clean --version X.Y.Z.
  --dry-run      print the next version and the plan; change nothing
  --publish      then push the tag to origin and run bundle publish (needs $GITHUB_TOKEN)
  --repo R       with --publish: the repository OWNER/NAME (default: bundle publish's)
  --config FILE  bundle.yaml to build (default bundle.yaml)
  --dist DIR     output folder (default dist)
USAGE
}

die() {
	echo "release: $1" >&2
	exit "${2:-2}"
}

dry_run=false
publish=false
repo=
config=bundle.yaml
dist=dist
bump=
while [[ $# -gt 0 ]]; do
	case $1 in
	--dry-run | -n) dry_run=true ;;
	--publish) publish=true ;;
	--repo) [[ $# -ge 2 ]] || die "--repo needs OWNER/NAME"; repo=$2; shift ;;
	--repo=*) repo=${1#*=} ;;
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
[[ -z $repo ]] || $publish || die "--repo is for --publish"

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

if $publish && ! $dry_run; then
	[[ -n ${GITHUB_TOKEN:-} ]] || die "--publish: \$GITHUB_TOKEN is not set: put a token that may write the repository's releases there"
	git remote get-url origin >/dev/null 2>&1 || die "--publish: no git remote named origin to push the tag to"
fi

status=0
next=$("$bundle" version --next "$bump") || status=$?
[[ $status -eq 0 ]] || exit "$status" # bundle printed why
tag="v$next"
if git rev-parse --verify --quiet "refs/tags/$tag" >/dev/null; then
	die "tag $tag already exists"
fi
latest=$(git describe --tags --abbrev=0 HEAD 2>/dev/null || echo "no tag yet")

if $publish; then
	step4="git push origin $tag && $bundle publish --dist $dist --config $config${repo:+ --repo $repo}"
else
	step4="upload the artifacts in $dist with checksums.txt and artifacts.json; git push origin $tag"
fi
cat <<PLAN
release $next (after $latest, $bump) of $(git rev-parse --short HEAD)
  1. git tag -a $tag -m "Release $next"
  2. $bundle build --config $config --dist $dist --clean --version $next
  3. cd $dist && ${sha256_check[*]} checksums.txt
  4. $step4
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

if $publish; then
	git push origin "$tag" || die "pushing $tag to origin failed; push it, then run: $bundle publish --dist $dist${repo:+ --repo $repo}" 1
	publish_args=(publish --dist "$dist" --config "$config")
	[[ -z $repo ]] || publish_args+=(--repo "$repo")
	"$bundle" "${publish_args[@]}"
	exit 0
fi

echo
echo "Release $next is built. Upload these files from $dist/:"
while read -r _ path; do
	echo "  $dist/$path"
done <"$dist/checksums.txt"
echo "  $dist/checksums.txt"
echo "  $dist/artifacts.json"
echo "Then publish the tag: git push origin $tag"
