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

# A free display number: no lock file and no socket.
display=""
for n in $(seq 90 140); do
  if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "desktop test: no free X display between :90 and :140" >&2; exit 1; }

Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; wait $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  [ -e "/tmp/.X11-unix/X${display#:}" ] && break
  sleep 0.1
done

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
