#!/usr/bin/env bash
# Desktop input test: the real `normlab` window under a private Xvfb display, driven with X
# events (xdotool), and the desktop flags. Every check reads the app's own state after the
# input: a normlab-state.json written by the app (through its Export window, or --export),
# a PNG it wrote, its printed step and its exit status.
#
#   1. interactive (one app run, 1280x800): click Play / Pause; space plays and pauses;
#      right arrow trains one mini-batch; e one epoch; r resets to the same weights; h shows
#      and ? hides the help; a slider drag changes data.noise; a click on a tab changes the
#      panel; the mouse wheel over a link of the network diagram edits that weight; a window
#      resize moves the layout and the Export window's PNG has the new size; the window's
#      close button (WM_DELETE_WINDOW) ends the app with status 0, printing the last step.
#   2. flags (short runs with --frames and --export state_json): --hash, --panel, --theme
#      (also drawn: the controls column is bright in light, dark in dark), --import of a state
#      file (settings, step, weights and view restored) and of a CSV of points, and the
#      refusals of bad values (exit status 2 or 1 with a message).
#
# Positions come from screenshots of the default layout at 1280x800 (DejaVuSans 15 px; ImGui
# layouts are deterministic for a window size and font). The app's notice after an export
# ("Saved normlab-state.json to DIR/...") moves the left column down until it is dismissed;
# DIR is kept short so that the notice is one line (the Dismiss button's place).
#
# Timing: ImGui 1.86's SDL backend keeps keys as levels (io.KeysDown), so a key pressed and
# released within one frame is lost: space and the right arrow are held for a while (the
# right arrow less than ImGui's key-repeat delay, 0.275 s). Characters (e, r, h, ?) and mouse
# clicks are queued and need no hold. SDL reads the pointer's position only after an XInput2
# event, which xdotool's absolute (warping) moves do not make: see move(). NL_INPUT_PAUSE
# (seconds, default 0.5) is the wait after each event for the app to draw a few frames.
#
# usage: desktop_input.sh <normlab> [keep-dir]   (keep-dir: where to copy the run's files)
set -euo pipefail
app="${1:?normlab binary}"
keep="${2:-}"
pause="${NL_INPUT_PAUSE:-0.5}"
started=$(date +%s)

say() { echo "desktop input test [$(($(date +%s) - started)) s]: $*"; }
fail() {
  echo "desktop input test: FAIL: $*" >&2
  if [ -n "${app_pid:-}" ] && command -v xwd >/dev/null 2>&1; then  # the screen at the failure
    xwd -root -silent 2>/dev/null | convert xwd:- "$work/failure.png" 2>/dev/null && echo "screen: $work/failure.png" >&2
  fi
  [ -n "${work:-}" ] && [ -f "$work/app.log" ] && { echo "--- app output:" >&2; cat "$work/app.log" >&2; }
  exit 1
}

# Nothing is skipped: scripts/setup installs these (Debian: xvfb, xdotool, imagemagick).
command -v Xvfb >/dev/null 2>&1 || fail "Xvfb is missing (Debian package xvfb; run scripts/setup)"
command -v xdotool >/dev/null 2>&1 || fail "xdotool is missing (Debian package xdotool; run scripts/setup)"
command -v convert >/dev/null 2>&1 || fail "ImageMagick's convert is missing (Debian package imagemagick; run scripts/setup)"
command -v python3 >/dev/null 2>&1 || fail "python3 is missing (it reads the exported JSON)"
[ -x "$app" ] || fail "$app is not an executable"

# A short folder of a fixed width (digits): the app quotes "DIR/normlab-state.json" in its
# notice, which must stay one line.
work=""
for _ in $(seq 100); do
  candidate="/tmp/nl$((RANDOM % 9000 + 1000))"
  if mkdir -m 700 "$candidate" 2>/dev/null; then work="$candidate"; break; fi
done
[ -n "$work" ] || fail "could not create a folder /tmp/nlNNNN"
app_pid=""
xvfb=""
cleanup() {
  local rc=$?
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then kill "$app_pid" 2>/dev/null || true; fi
  if [ -n "$xvfb" ]; then kill "$xvfb" 2>/dev/null || true; wait "$xvfb" 2>/dev/null || true; fi
  if [ -n "$keep" ]; then rm -rf "$keep"; mkdir -p "$keep"; cp -r "$work"/. "$keep"/ 2>/dev/null || true; fi
  if [ "$rc" -eq 0 ]; then rm -rf "$work"; else echo "desktop input test: files kept in $work" >&2; fi
}
trap cleanup EXIT

# A private display (:191 to :240; the other desktop tests use :90 to :190 and :241 to :290).
source "$(dirname "${BASH_SOURCE[0]}")/xvfb.sh"
start_xvfb 191 240 || fail "Xvfb could not start"
export DISPLAY="$display"

# ---------------------------------------------------------------- helpers
# jq-like reads: py FILE EXPR prints EXPR evaluated with d = the file's JSON.
py() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# check FILE EXPR WHAT: fails with WHAT unless EXPR is true for the file's JSON.
check() {
  [ "$(py "$1" "$2")" = "True" ] || fail "$3 (expected $2 in $(basename "$1"))"
}
png_size() { python3 -c 'import struct, sys; b = open(sys.argv[1], "rb").read(24); print("%dx%d" % struct.unpack(">II", b[16:24]))' "$1"; }

# xdotool mousemove warps the pointer (XWarpPointer), which makes no XInput2 raw motion event,
# and SDL 2.26 re-reads the global pointer position only after one (or after a button event):
# a relative nudge there and back makes the app see the new position before the click.
move() { xdotool mousemove --sync "$1" "$2" mousemove_relative 1 0 mousemove_relative -- -1 0; sleep 0.2; }
click() { move "$1" "$2"; xdotool click 1; sleep "$pause"; }
# One xdotool process for the press and the release: a second process could start late on a
# busy machine and turn a short hold into a repeating one.
hold_key() { xdotool keydown "$1" sleep "$2" keyup "$1"; sleep "$pause"; }
char_key() { xdotool key "$1"; sleep "$pause"; }

# Sends WM_DELETE_WINDOW, what a window manager's close button sends (xdotool 3.2016 has no
# windowquit, and Xvfb runs no window manager).
close_window() {
  python3 - "$1" <<'EOF'
import ctypes, sys
x = ctypes.cdll.LoadLibrary("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x.XFlush.argtypes = [ctypes.c_void_p]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]
class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("l", ctypes.c_long * 5)]
class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]
d = x.XOpenDisplay(None)
if not d:
    sys.exit("cannot open the X display")
win = int(sys.argv[1])
ev = XEvent()
ev.xclient.type = 33  # ClientMessage
ev.xclient.window = win
ev.xclient.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
ev.xclient.format = 32
ev.xclient.l[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
ev.xclient.l[1] = 0  # CurrentTime
if not x.XSendEvent(d, win, 0, 0, ctypes.byref(ev)):
    sys.exit("XSendEvent failed")
x.XFlush(d)
x.XCloseDisplay(d)
EOF
}

# Waits until FILE exists and parses as JSON (the app writes it without a rename).
wait_json() {
  for _ in $(seq 150); do
    if [ -s "$1" ] && tail -c 3 "$1" | grep -q '}' && python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; then return 0; fi
    kill -0 "$app_pid" 2>/dev/null || fail "normlab exited while waiting for $(basename "$1")"
    sleep 0.1
  done
  return 1
}

# Layout at 1280x800 with no notice shown. The Export window opens centred on the window.
W=1280 H=800
EXPORT=(300 15)      # header: Export (left of "Light theme")
DISMISS=(47 75)      # the notice's Dismiss, one line of text
PLAY=(56 46)         # Play / Pause
NOISE_Y=220          # the noise slider's row; its handle sits at x 53 for 0.10
NETWORK_TAB=(688 19)
LINK=(880 245)       # network diagram: the link input x -> hidden 1 neuron 1 (weight [0][0])
# Export window buttons, relative to the window's centre.
STATE_DX=-122 STATE_DY=-143 PNG_DX=-160 PNG_DY=57 CLOSE_DX=-186 CLOSE_DY=164

# snapshot NAME: the app's whole state, written by its Export window's "State and weights
# (JSON)" button; then the notice is dismissed (the layout above again). The Export window
# stays open (it covers the middle of the window, where no other check clicks).
export_open=0
snapshot() {
  local out="$work/$1.json" file="$work/normlab-state.json"
  rm -f "$file"
  if [ "$export_open" -eq 0 ]; then click "${EXPORT[@]}"; export_open=1; fi
  click $((W / 2 + STATE_DX)) $((H / 2 + STATE_DY))
  wait_json "$file" || fail "snapshot $1: the Export window's state button wrote no file (a missed click?)"
  mv "$file" "$out"
  click "${DISMISS[@]}"
}

# ---------------------------------------------------------------- 1. interactive run
say "1. interactive: normlab on $DISPLAY, driven with xdotool"
"$app" --size ${W}x${H} --export-dir "$work" >"$work/app.log" 2>&1 &
app_pid=$!
wid=$(timeout 60 xdotool search --sync --onlyvisible --name '^NormLab' | head -1) || true
[ -n "$wid" ] || fail "no NormLab window appeared within 60 s"
timeout 10 xdotool windowfocus --sync "$wid" || fail "could not give the NormLab window the keyboard focus"
sleep 1

snapshot base
check "$work/base.json" "d['playing'] is False and d['training']['step'] == 0" "the app does not start paused at step 0"

# Play button: training starts; clicked again (now Pause): it stops.
click "${PLAY[@]}"
sleep 1
snapshot play
check "$work/play.json" "d['playing'] is True and d['training']['step'] > 0" "clicking Play did not start training"
click "${PLAY[@]}"
snapshot pause
check "$work/pause.json" "d['playing'] is False" "clicking Pause did not stop training"
step=$(py "$work/pause.json" "d['training']['step']")
say "Play click: trained to step $(py "$work/play.json" "d['training']['step']"), Pause click: stopped at $step"

# Right arrow: exactly one mini-batch (so nothing trained while paused either). Held 0.2 s: at
# least a frame, less than ImGui's repeat delay; a press that no frame saw is retried, at most
# 3 presses in all.
for attempt in 1 2 3; do
  hold_key Right 0.2
  snapshot right
  now=$(py "$work/right.json" "d['training']['step']")
  [ "$now" -le $((step + 1)) ] || fail "one right-arrow press (or the pause) trained $((now - step)) steps"
  [ "$now" -eq $((step + 1)) ] && break
  [ "$attempt" -lt 3 ] || fail "the right arrow trained no step (3 presses)"
  say "right arrow: press $attempt not seen by a frame, again"
done
check "$work/right.json" "d['playing'] is False" "the right arrow started playing"
say "right arrow: step $step -> $now"
step=$now

# Space: plays, then pauses.
hold_key space 0.4
sleep 1
snapshot space1
check "$work/space1.json" "d['playing'] is True and d['training']['step'] > $step" "space did not start training"
hold_key space 0.4
snapshot space2
check "$work/space2.json" "d['playing'] is False" "space did not pause training"
say "space: played from step $step, paused at $(py "$work/space2.json" "d['training']['step']")"
step=$(py "$work/space2.json" "d['training']['step']")

# e: one epoch (the epoch count goes up by one; 225 training points in batches of 32: 7 steps).
epoch=$(py "$work/space2.json" "d['training']['epoch']")
char_key e
snapshot epoch
check "$work/epoch.json" "d['training']['epoch'] == $epoch + 1 and $step < d['training']['step'] == 7 * d['training']['epoch']" \
  "e did not train exactly one epoch"
say "e: epoch $epoch -> $(py "$work/epoch.json" "d['training']['epoch']"), step $step -> $(py "$work/epoch.json" "d['training']['step']")"

# r: back to step 0 with the same initial weights as at the start.
char_key r
snapshot reset
check "$work/reset.json" "d['training']['step'] == 0 and d['playing'] is False" "r did not reset to step 0"
same=$(python3 -c 'import json, sys; a, b = (json.load(open(f))["weights"] for f in sys.argv[1:]); print(a == b)' \
  "$work/base.json" "$work/reset.json")
[ "$same" = "True" ] || fail "after r the weights differ from the initial ones"
say "r: step 0, weights equal to the initial ones"

# h shows the help overlay, ? hides it.
char_key h
snapshot help1
check "$work/help1.json" "d['view']['show_help'] is True" "h did not show the help"
char_key question
snapshot help2
check "$work/help2.json" "d['view']['show_help'] is False" "? did not hide the help"
say "h: help shown, ?: hidden"

# Slider drag: the noise slider's handle (0.10) dragged to the right.
check "$work/help2.json" "abs(d['settings']['data']['noise'] - 0.1) < 1e-6" "noise is not 0.10 before the drag"
move 53 $NOISE_Y
xdotool mousedown 1
sleep "$pause"
for _ in 1 2 3 4 5; do xdotool mousemove_relative 20 0; sleep 0.2; done  # to x 153
sleep "$pause"
xdotool mouseup 1
sleep "$pause"
snapshot slider
check "$work/slider.json" "0.25 < d['settings']['data']['noise'] <= 0.5" "dragging the noise slider did not raise data.noise"
say "slider drag: data.noise 0.10 -> $(py "$work/slider.json" "d['settings']['data']['noise']")"

# A tab click shows the Network panel; the wheel over a link edits that weight by 0.05 a notch.
click "${NETWORK_TAB[@]}"
snapshot network
check "$work/network.json" "d['view']['panel'] == 'network'" "clicking the Network tab did not show the Network panel"
move "${LINK[@]}"
sleep "$pause"
xdotool click 4
sleep "$pause"
xdotool click 4
sleep "$pause"
snapshot wheel
python3 - "$work/network.json" "$work/wheel.json" <<'EOF' || fail "two wheel notches over the link x -> hidden 1 neuron 1 did not add 0.1 to that weight alone"
import json, sys
a, b = (json.load(open(f))["weights"]["hidden"] for f in sys.argv[1:])
w0, w1 = a[0]["linear"]["weight"], b[0]["linear"]["weight"]
assert abs(w1[0][0] - (w0[0][0] + 0.1)) < 1e-4, (w0[0][0], w1[0][0])
w1[0][0] = w0[0][0]
assert a == b, "other parameters changed"
print("desktop input test: mouse wheel: weight [0][0] %.4f -> %.4f" % (w0[0][0], json.load(open(sys.argv[2]))["weights"]["hidden"][0]["linear"]["weight"][0][0]))
EOF
say "Network tab: panel shown"

# e once more, so that the app has a step to print at exit (one epoch from step 0: 7 steps).
char_key e

# The Export window closed, then a resize to 1000x640: the header wraps (Export moves below the title), the Export window opens
# centred on the new size, and its picture has the new size.
click $((W / 2 + CLOSE_DX)) $((H / 2 + CLOSE_DY))
timeout 10 xdotool windowsize --sync "$wid" 1000 640 || fail "xdotool could not resize the window"
sleep 1
W=1000 H=640
rm -f "$work/normlab.png" "$work/normlab-state.json"
click 34 36
click $((W / 2 + STATE_DX)) $((H / 2 + STATE_DY))
wait_json "$work/normlab-state.json" || fail "after the resize, no state file from the Export window (layout not moved?)"
mv "$work/normlab-state.json" "$work/resized.json"
click $((W / 2 + PNG_DX)) $((H / 2 + PNG_DY))  # the picture closes the Export window
for _ in $(seq 150); do [ -s "$work/normlab.png" ] && break; sleep 0.1; done
[ -s "$work/normlab.png" ] || fail "after the resize, no picture from the Export window"
sleep 0.5
size=$(png_size "$work/normlab.png")
[ "$size" = "1000x640" ] || fail "after resizing the window to 1000x640 the app drew ${size}"
final_step=$(py "$work/resized.json" "d['training']['step']")
[ "$final_step" -eq 7 ] || fail "e after the reset trained to step $final_step, not 7"
say "resize: the app draws 1000x640 and its layout followed"

# The window's close button: the app exits with status 0 and prints the step it was at.
close_window "$wid"
for _ in $(seq 200); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$app_pid" 2>/dev/null && fail "normlab is still running 20 s after WM_DELETE_WINDOW"
status=0
wait "$app_pid" || status=$?
app_pid=""
[ "$status" -eq 0 ] || fail "normlab exited with status $status after the window was closed"
grep -q "^normlab: step $final_step," "$work/app.log" || fail "the app did not print step $final_step at exit"
say "close: exit status 0, printed step $final_step"

# ---------------------------------------------------------------- 2. flags
say "2. flags"
# run NAME ARGS...: a short run exporting its state to $work/NAME/normlab-state.json.
run() {
  local name="$1"
  shift
  mkdir -p "$work/$name"
  timeout 120 "$app" --frames 8 --size 1280x800 --export-dir "$work/$name" --export state_json "$@" \
    >"$work/$name/out.log" 2>&1 || { cat "$work/$name/out.log" >&2; fail "normlab $* exited with an error"; }
  [ -s "$work/$name/normlab-state.json" ] || fail "normlab $* exported no state"
}
# refused CODE TEXT ARGS...: the app must exit with CODE and print TEXT.
refused() {
  local code="$1" text="$2" status=0
  shift 2
  timeout 120 "$app" --frames 8 "$@" >"$work/refused.log" 2>&1 || status=$?
  [ "$status" -eq "$code" ] || { cat "$work/refused.log" >&2; fail "normlab $* exited with $status, not $code"; }
  grep -qF -- "$text" "$work/refused.log" || { cat "$work/refused.log" >&2; fail "normlab $* did not say '$text'"; }
}

run hash --hash 'ds=circles&lr=0.03&bs=16&p=inspector&th=light&zz=1'
f="$work/hash/normlab-state.json"
check "$f" "d['settings']['data']['kind'] == 'circles' and abs(d['settings']['optimizer']['learning_rate'] - 0.03) < 1e-7" \
  "--hash did not set the dataset and learning rate"
check "$f" "d['settings']['batch_size'] == 16 and d['view']['panel'] == 'inspector' and d['view']['theme'] == 'light'" \
  "--hash did not set the batch size, panel and theme"
grep -qF "unknown key 'zz' skipped" "$work/hash/out.log" || fail "--hash did not report the unknown key"
say "--hash: dataset, learning rate, batch size, panel and theme applied; unknown key reported"

run panel --panel backprop
check "$work/panel/normlab-state.json" "d['view']['panel'] == 'backprop'" "--panel backprop did not show the Backprop panel"
refused 2 "--panel must be one of" --panel nowhere
say "--panel: backprop shown; an unknown panel refused (status 2)"

run light --theme light --screenshot "$work/light/shot.png"
run dark --theme dark --screenshot "$work/dark/shot.png"
check "$work/light/normlab-state.json" "d['view']['theme'] == 'light'" "--theme light is not the state's theme"
check "$work/dark/normlab-state.json" "d['view']['theme'] == 'dark'" "--theme dark is not the state's theme"
# The controls column (x < 430): light background in the light theme, dark in the dark one.
light=$(convert "$work/light/shot.png" -crop 430x800+0+0 -colorspace gray -format '%[fx:mean]' info:)
dark=$(convert "$work/dark/shot.png" -crop 430x800+0+0 -colorspace gray -format '%[fx:mean]' info:)
awk -v l="$light" -v d="$dark" 'BEGIN { exit !(l > 0.7 && d < 0.3) }' ||
  fail "the themes are not drawn: mean grey level of the controls light $light, dark $dark"
refused 2 "--theme must be light or dark" --theme blue
say "--theme: controls drawn light (mean grey $light) and dark ($dark); an unknown theme refused"

# --import of a state file: a trained, paused run on other settings, shown on another panel.
run source --hash 'ds=xor&h=6t-l&lr=0.05&p=why' --play --frames 30
python3 - "$work/source/normlab-state.json" "$work/import.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["playing"] = False  # paused, so that the imported run stays at the exported step
json.dump(d, open(sys.argv[2], "w"))
EOF
check "$work/import.json" "d['training']['step'] > 0" "the source run for --import did not train"
run imported --import "$work/import.json"
python3 - "$work/import.json" "$work/imported/normlab-state.json" <<'EOF' || fail "--import did not restore the state file"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for key in ("settings", "weights", "playing", "steps_per_frame"):
    assert a[key] == b[key], key
assert a["training"]["step"] == b["training"]["step"], "training.step"
assert a["view"]["panel"] == b["view"]["panel"] == "why", "view.panel"
EOF
grep -qF "normlab: Imported the state file (step $(py "$work/import.json" "d['training']['step']"))" "$work/imported/out.log" ||
  fail "--import did not print the imported step"
sed 's/"kind": *"xor"/"kind": "moons"/' "$work/import.json" >"$work/bad.json"
refused 1 "data.kind" --import "$work/bad.json"
say "--import state: settings, step $(py "$work/import.json" "d['training']['step']"), weights and panel restored; a bad file refused (status 1)"

# --import of a CSV of x,y,label points.
{
  echo "x,y,label"
  for i in $(seq 0 19); do echo "$i" | awk '{ printf "%.2f,%.2f,%d\n", -1 + $1 / 10, ($1 % 2) - 0.5, $1 % 2 }'; done
} >"$work/points.csv"
run csv --import "$work/points.csv"
check "$work/csv/normlab-state.json" \
  "len(d['data']['points']) == 20 and sorted(p[2] for p in d['data']['points']) == [0] * 10 + [1] * 10" \
  "--import of a CSV did not load its 20 points"
grep -qF "normlab: Imported 20 points." "$work/csv/out.log" || fail "--import of a CSV did not say how many points"
printf 'x,y,label\n0,0,0\n1,1,7\n' >"$work/bad.csv"
refused 1 "at least 4" --import "$work/bad.csv"
say "--import CSV: 20 points with their labels loaded; a too-short file refused (status 1)"

say "passed in $(($(date +%s) - started)) s"
