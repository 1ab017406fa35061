#!/usr/bin/env bash
# Desktop pixel truth: the real `normlab` window under a private Xvfb display, trained on the
# test's own points (tests/pixel/make_points.py, imported as a CSV) until it stops at step
# 400, then its last frame (--screenshot), the rectangles that frame drew (--rects), the
# state with the points and weights and the PyTorch module (--export); then the same model's
# Why and network panels. tests/pixel/pixel_truth.py checks the heatmap's pixels against
# PyTorch's P(class 1), the y axis, the legend, the points' places, the Why panel's boundary
# and the neuron maps (its docstring lists the checks).
#
# usage: pixel_truth.sh <normlab> <work-dir>
set -euo pipefail
app="${1:?normlab binary}"
work="${2:?work dir}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rm -rf "$work"
mkdir -p "$work"

fail() { echo "desktop pixel truth: FAIL: $*" >&2; exit 1; }
command -v Xvfb >/dev/null 2>&1 || fail "Xvfb is missing (Debian package xvfb; run scripts/setup)"
command -v xdotool >/dev/null 2>&1 || fail "xdotool is missing (Debian package xdotool; run scripts/setup)"
/usr/bin/python3 -c "import torch, numpy" 2>/dev/null || fail "python3-torch and python3-numpy are missing (run scripts/setup)"

# A private display (:241 to :290; the other desktop tests use :90 to :240).
source "$here/desktop/xvfb.sh"
trap stop_xvfb EXIT
start_xvfb 241 290 || fail "Xvfb could not start"

# Runs normlab with the given arguments, its output in the log file $1. Once its window is up,
# the pointer goes to the window's bottom-left corner, away from the plot (a hovered plot shows
# a tooltip). SDL reads the pointer after an XInput2 event, which a warp alone does not make:
# hence the relative moves (as tests/desktop/desktop_input.sh does).
run_app() {
  local log="$1"
  shift
  DISPLAY="$display" timeout 180 "$app" --size 1280x800 "$@" >"$log" 2>&1 &
  local pid=$!
  DISPLAY="$display" timeout 60 xdotool search --sync --onlyvisible --name '^NormLab' >/dev/null 2>&1 || true
  DISPLAY="$display" xdotool mousemove --sync 2 797 mousemove_relative 1 0 mousemove_relative -- -1 0 >/dev/null 2>&1 || true
  wait "$pid"
}
/usr/bin/python3 "$here/pixel/make_points.py" "$work/points.csv"

# One model: its data panel, then its Why and network panels. $1: a name (a folder in $work),
# $2: the link settings of its network (added to the stop condition).
check_model() {
  local dir="$work/$1" net="$2"
  mkdir -p "$dir"
  # 1. The data panel. Stop at step 400 (ss, ssn), 20 steps per frame: trained and still by
  #    frame 40 of 60; the state (points, weights) and the PyTorch module exported at frame 57.
  run_app "$dir/app.log" --hash "ss=1&ssn=400&sp=20$net" --import "$work/points.csv" \
    --play --frames 60 --screenshot "$dir/data.png" --rects "$dir/data.json" \
    --export-dir "$dir" --export state_json --export pytorch \
    || { cat "$dir/app.log"; fail "$1: normlab exited with an error"; }
  cat "$dir/app.log"
  grep -q "normlab: step 400," "$dir/app.log" || fail "$1: training did not stop at step 400"
  # 2, 3. The Why and network panels of the same model: the exported state, its view's panel
  #    changed, imported (a state file brings its own panel, so --panel would not do).
  for panel in why network; do
    /usr/bin/python3 - "$dir/normlab-state.json" "$panel" "$dir/state-$panel.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
state["view"]["panel"] = sys.argv[2]
json.dump(state, open(sys.argv[3], "w"))
PY
    run_app "$dir/app-$panel.log" --import "$dir/state-$panel.json" \
      --frames 30 --screenshot "$dir/$panel.png" --rects "$dir/$panel.json" \
      || { cat "$dir/app-$panel.log"; fail "$1: normlab on the $panel panel exited with an error"; }
    grep -q "normlab: step 400," "$dir/app-$panel.log" || { cat "$dir/app-$panel.log"; fail "$1: the imported state is not at step 400"; }
  done
  /usr/bin/python3 "$here/pixel/pixel_truth.py" --label "desktop pixel truth ($1)" --data "$dir/data.png" "$dir/data.json" \
    --why "$dir/why.png" "$dir/why.json" --network "$dir/network.png" "$dir/network.json" \
    --state "$dir/normlab-state.json" --model "$dir/normlab_model.py"
}

# The default network (BatchNorm): the Why panel's "with BN" side is the learner's network.
status=0
check_model batchnorm "" || status=1
# The same without normalization: now the "without" side is, so both sides get checked.
check_model plain "&h=8r-n,8r-n" || status=1
exit $status
