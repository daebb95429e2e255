#!/usr/bin/env bash
# Screenshots a run's report.html with headless Chromium, to check what a
# reader sees (plots, tables, highlighting) without a desktop.
#
#   scripts/screenshot-report.sh RUN_DIR OUT.png [HEIGHT]
#
# HEIGHT is the window height in pixels (default 6000): the screenshot is
# the top HEIGHT pixels of the page at 1400 pixels wide. The page is
# self-contained, and Chromium runs with every background fetch disabled.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
	echo "usage: $0 RUN_DIR OUT.png [HEIGHT]" >&2
	exit 2
fi
run_dir=$1
out=$2
height=${3:-6000}
report="$run_dir/report.html"
if [[ ! -f "$report" ]]; then
	echo "$report: no such file: render the run first (versus report $run_dir)" >&2
	exit 1
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z "$browser" ]]; then
	echo "no Chromium found: install it (apt-get install -y chromium)" >&2
	exit 1
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs_report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
	--user-data-dir="$profile" --screenshot="$abs_out" --window-size="1400,$height" \
	"file://$abs_report" >/dev/null 2>&1
echo "$abs_out"
