#!/usr/bin/env bash
# Runs `bundle publish --json` for the GitHub Action in action.yml after the
# build step, when the input publish is true: the dist becomes the release
# of its version's tag. It runs the same way outside GitHub (the tests do).
#
# Environment:
#   BUNDLE_ACTION_BIN    the bundle executable (default: bundle on PATH)
#   INPUT_DIST           the build step's dist folder
#   INPUT_CONFIG         path of bundle.yaml, whose package_managers names
#                        the tap, bucket and AUR package (default bundle.yaml)
#   GITHUB_TOKEN         a token that may write releases (never printed)
#   GITHUB_API_URL, GITHUB_REPOSITORY  as Actions sets them
#   GITHUB_OUTPUT        gets release-url= (printed when unset)
#   GITHUB_STEP_SUMMARY  gets a line naming the release (when set)
#
# Exit status: bundle's (0 ok, 1 publish failed, 2 usage or configuration
# error, 3 missing tool); 3 too when bundle or jq is missing.
set -euo pipefail

bundle=${BUNDLE_ACTION_BIN:-bundle}
dist=${INPUT_DIST:-dist}
config=${INPUT_CONFIG:-bundle.yaml}

escape_data() {
	local s=$1
	s=${s//'%'/%25}
	s=${s//$'\r'/%0D}
	s=${s//$'\n'/%0A}
	printf '%s' "$s"
}

if ! command -v "$bundle" >/dev/null 2>&1; then
	echo "::error::bundle is not installed ($bundle not found); the action's install step builds it"
	exit 3
fi
if ! command -v jq >/dev/null 2>&1; then
	echo "::error::jq is missing: install it (apt-get install jq, brew install jq); GitHub's hosted runners have it"
	exit 3
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
config_args=()
[[ ! -f $config ]] || config_args=(--config "$config")
"$bundle" publish --json --dist "$dist" ${config_args[@]+"${config_args[@]}"} >"$out" || status=$?
if [[ $status -ne 0 ]]; then
	msg=$(jq -r '.error // empty' <"$out" 2>/dev/null || true)
	echo "::error::$(escape_data "${msg:-bundle publish failed with exit code $status; see its output above}")"
	exit "$status"
fi

url=$(jq -r '.url' <"$out")
tag=$(jq -r '.tag' <"$out")
if [[ -z ${GITHUB_OUTPUT:-} ]]; then
	printf 'release-url=%s\n' "$url"
else
	printf 'release-url=%s\n' "$url" >>"$GITHUB_OUTPUT"
fi
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
	# shellcheck disable=SC2016 # backquotes are Markdown
	jq -r '"Release [\(.tag)](\(.url)): \(.uploaded | length) files uploaded, \(.kept | length) already there" +
		(if .published then ", published." else "; it was published before with these files." end)' <"$out" >>"$GITHUB_STEP_SUMMARY"
fi
echo "published $tag: $url"
