#!/usr/bin/env bash
# Installs the bundle command for the GitHub Action in action.yml.
#
# Environment (action.yml sets it from the inputs and the github context):
#   INPUT_VERSION  the `version` input: empty, or the same ref as the action
#                  (`uses: bundlekit/bundle@v1.2.3` with `version: v1.2.3`),
#                  builds bundle from the action's own checkout; any other
#                  value is installed with `go install …@INPUT_VERSION`
#   ACTION_REF     github.action_ref: the ref the workflow uses the action at
#   ACTION_PATH    github.action_path: the action's checkout
#   RUNNER_TEMP    where the binary goes ($RUNNER_TEMP/bundle-action/)
#   GITHUB_OUTPUT  gets bin=<path of the bundle executable>
#   GITHUB_PATH    gets the binary's folder, so later steps can run bundle
#
# Exit status: 0 when bundle is installed, else go's (with an ::error::).
set -euo pipefail

version=${INPUT_VERSION:-}
ref=${ACTION_REF:-}
src=${ACTION_PATH:?ACTION_PATH must be the action checkout (github.action_path)}
bin_dir="${RUNNER_TEMP:?RUNNER_TEMP must be set}/bundle-action"
module=github.com/bundlekit/bundle

if ! command -v go >/dev/null 2>&1; then
	echo "::error::go is not on PATH; set the go-version input of the bundle action, or run actions/setup-go before it"
	exit 3
fi
# The user's job environment is for their app, not for building bundle:
# GOOS/GOARCH would cross-compile bundle itself, GOFLAGS (-mod=vendor…) and
# GOWORK refer to their module.
build_env=(env -u GOOS -u GOARCH -u GOFLAGS GOWORK=off)
mkdir -p "$bin_dir"
exe="$bin_dir/bundle$("${build_env[@]}" go env GOEXE)"

if [[ -z $version || ${version#v} == "${ref#v}" ]]; then
	echo "Building bundle from the action's checkout (${ref:-local})"
	# -trimpath: no path of this machine in bundle, as in a release build
	# (and one compile per package when bundle's own tests run this).
	(cd "$src" && "${build_env[@]}" go build -trimpath -o "$exe" ./cmd/bundle)
else
	echo "Installing $module/cmd/bundle@$version"
	if ! GOBIN="$bin_dir" "${build_env[@]}" go install "$module/cmd/bundle@$version"; then
		echo "::error title=bundle action::go install $module/cmd/bundle@$version failed. Until a release publishes the runtimehooks module, the root go.mod replaces it with ./runtimehooks and go install @version refuses that. Leave the version input empty (the action builds bundle from its own checkout) and pick the release with uses: bundlekit/bundle@<ref>."
		exit 1
	fi
fi

"$exe" version
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
	echo "bin=$exe" >>"$GITHUB_OUTPUT"
fi
if [[ -n ${GITHUB_PATH:-} ]]; then
	echo "$bin_dir" >>"$GITHUB_PATH"
fi
