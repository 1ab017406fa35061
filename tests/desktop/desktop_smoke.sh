#!/usr/bin/env bash
# Desktop test: starts a private Xvfb display, runs `normlab --frames N --play
# --screenshot FILE`, and fails if the app fails, trains nothing, or the image is blank.
# usage: desktop_smoke.sh <normlab> <screenshot.png> [frames]
set -euo pipefail
app="${1:?normlab binary}"
shot="${2:?screenshot path}"
frames="${3:-240}"
mkdir -p "$(dirname "$shot")"
rm -f "$shot"

source "$(dirname "${BASH_SOURCE[0]}")/xvfb.sh"
trap stop_xvfb EXIT
start_xvfb 90 140 || { echo "desktop test: Xvfb could not start" >&2; exit 1; }

out=$(DISPLAY="$display" timeout 120 "$app" --frames "$frames" --play --size 1280x800 --screenshot "$shot" 2>&1) || {
  echo "$out"
  echo "desktop test: normlab exited with an error" >&2
  exit 1
}
echo "$out"
[ -s "$shot" ] || { echo "desktop test: no screenshot written" >&2; exit 1; }

# Blank check: the standard deviation of the grey levels must be clearly above zero.
stddev=$(convert "$shot" -colorspace gray -format "%[fx:standard_deviation]" info:)
echo "desktop test: screenshot $shot, grey-level standard deviation $stddev"
awk -v s="$stddev" 'BEGIN { exit !(s > 0.05) }' || { echo "desktop test: the screenshot looks blank" >&2; exit 1; }

# Training must have happened: the app prints "step K, ..." with K > 0 after --play.
step=$(echo "$out" | sed -nE 's/.*normlab: step ([0-9]+),.*/\1/p')
[ -n "$step" ] && [ "$step" -gt 0 ] || { echo "desktop test: no training step was taken" >&2; exit 1; }
echo "desktop test: passed ($step training steps in $frames frames)"
