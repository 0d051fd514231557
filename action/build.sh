#!/usr/bin/env bash
# Runs `bundle build --json` for the GitHub Action in action.yml, and turns
# its result into what GitHub shows: step outputs, a job summary table and
# error annotations. It runs the same way outside GitHub (the tests do).
#
# Environment:
#   INPUT_CONFIG         path of bundle.yaml (default bundle.yaml)
#   INPUT_ARGS           extra `bundle build` arguments, split like a shell
#                        splits words (quotes group, nothing is expanded)
#   BUNDLE_ACTION_BIN    the bundle executable (default: bundle on PATH)
#   GITHUB_OUTPUT        gets artifacts=, version=, dist= (printed when unset)
#   GITHUB_STEP_SUMMARY  gets a Markdown table of the artifacts (when set)
#
# Exit status: bundle's (0 ok, 1 build failed, 2 usage or configuration
# error, 3 missing tool); 3 too when bundle or jq is missing.
set -euo pipefail

bundle=${BUNDLE_ACTION_BIN:-bundle}
config=${INPUT_CONFIG:-bundle.yaml}
args_line=${INPUT_ARGS:-}

# escape_data and escape_property encode text for a workflow command
# (::error …::), whose values end at a newline and properties at , or :.
escape_data() {
	local s=$1
	s=${s//'%'/%25}
	s=${s//$'\r'/%0D}
	s=${s//$'\n'/%0A}
	printf '%s' "$s"
}
escape_property() {
	local s
	s=$(escape_data "$1")
	s=${s//:/%3A}
	s=${s//,/%2C}
	printf '%s' "$s"
}

# set_output name value: a step output, in the multi-line form when needed.
set_output() {
	if [[ -z ${GITHUB_OUTPUT:-} ]]; then
		printf '%s=%s\n' "$1" "$2"
	elif [[ $2 == *$'\n'* ]]; then
		printf '%s<<bundle_output_EOF\n%s\nbundle_output_EOF\n' "$1" "$2" >>"$GITHUB_OUTPUT"
	else
		printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
	fi
}

if ! command -v "$bundle" >/dev/null 2>&1; then
	echo "::error::bundle is not installed ($bundle not found); the action's install step builds it"
	exit 3
fi
if ! command -v jq >/dev/null 2>&1; then
	echo "::error::jq is missing: install it (apt-get install jq, brew install jq); GitHub's hosted runners have it"
	exit 3
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Split INPUT_ARGS into words the way a shell would, without expanding
# anything: xargs understands quotes and backslashes, and NUL separates.
args=()
if [[ -n ${args_line//[[:space:]]/} ]]; then
	if ! printf '%s' "$args_line" | xargs printf '%s\0' >"$tmp/args" 2>"$tmp/xargs.err"; then
		echo "::error::args: cannot split $(escape_data "$args_line"): $(escape_data "$(cat "$tmp/xargs.err")")"
		exit 2
	fi
	while IFS= read -r -d '' a; do
		args+=("$a")
	done <"$tmp/args"
fi

# The output folder, as bundle build picks it: the last --dist (or -d),
# else $BUNDLE_DIST, else dist; relative to the working directory.
dist=${BUNDLE_DIST:-dist}
want_dist=false
for a in ${args[@]+"${args[@]}"}; do
	if $want_dist; then
		dist=$a
		want_dist=false
		continue
	fi
	case $a in
	--dist | -dist | -d | --d) want_dist=true ;;
	--dist=* | -dist=* | -d=* | --d=*) dist=${a#*=} ;;
	esac
done

status=0
"$bundle" build --json --config "$config" ${args[@]+"${args[@]}"} >"$tmp/out.json" || status=$?

if [[ $status -ne 0 ]]; then
	# With --json every error is {"error": "...", "exit_code": N} on stdout
	# (and one line on stderr, which is already in the log).
	msg=$(jq -r '.error // empty' <"$tmp/out.json" 2>/dev/null || true)
	if [[ -z $msg ]]; then
		echo "::error::bundle build failed with exit code $status; see its output above"
		exit "$status"
	fi
	first=${msg%%$'\n'*}
	# A configuration error names its place first: file:line:col: message,
	# file:line: message or file: message, the file being a YAML file.
	re_place='^([^[:space:]:]+\.ya?ml):(([0-9]+):(([0-9]+):)?)? (.*)$'
	if [[ $first == "$msg" && $first =~ $re_place ]]; then
		file=${BASH_REMATCH[1]} line=${BASH_REMATCH[3]} col=${BASH_REMATCH[5]} text=${BASH_REMATCH[6]}
		props="file=$(escape_property "$file")"
		[[ -n $line ]] && props+=",line=$line"
		[[ -n $col ]] && props+=",col=$col"
		echo "::error $props::$(escape_data "$text")"
	else
		echo "::error::$(escape_data "$msg")"
	fi
	exit "$status"
fi

if ! jq -e '.artifacts | type == "array"' <"$tmp/out.json" >/dev/null 2>&1; then
	echo "::error::bundle build --json printed no artifacts.json on stdout"
	exit 1
fi
manifest="${dist%/}/artifacts.json"
if [[ ! -f $manifest ]]; then
	echo "::warning::bundle build succeeded but $(escape_data "$manifest") does not exist; the dist output may be wrong"
fi

set_output artifacts "$manifest"
set_output version "$(jq -r '.version' <"$tmp/out.json")"
set_output dist "$dist"

if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
	# The size as bundle prints it: 1000-based units with one decimal.
	# shellcheck disable=SC2016 # $d, $u… are jq's variables
	jq -r --arg dist "$dist" '
		def human:
			if . < 1000 then "\(.) B"
			else (if . < 1e6 then [1e3, "k"] elif . < 1e9 then [1e6, "M"] else [1e9, "G"] end) as [$d, $u]
				| ((. * 10 / $d) | round) as $t
				| "\($t / 10 | floor).\($t % 10) \($u)B"
			end;
		def cell: tostring | gsub("\\|"; "\\|");
		"### bundle: \(.name | cell) \(.version | cell)",
		"",
		"| artifact | OS | arch | size | sha256 |",
		"| --- | --- | --- | --- | --- |",
		(.artifacts[] | "| `\(.path | cell)` | \(.os | cell) | \(.arch | cell) | \(.size | human) | `\(.sha256 | cell)` |"),
		"",
		((.artifacts | length) as $n
			| "\($n) artifact\(if $n == 1 then "" else "s" end), with `checksums.txt` and `artifacts.json`, in `\($dist | cell)`."),
		""
	' <"$tmp/out.json" >>"$GITHUB_STEP_SUMMARY"
fi
