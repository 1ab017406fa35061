#!/usr/bin/env bash
# Desktop export/import test: under a private Xvfb display, trains with `normlab --play`,
# exports every kind (--export, the Export window's path: outbox -> file delivery) into a
# temporary folder, checks each file, then re-imports the state with --import, and checks
# that a broken state file is refused with exit status 1 and a message naming the key.
# usage: test_export_desktop.sh <normlab> <work dir>
set -euo pipefail
app="${1:?normlab binary}"
work="${2:?work dir}"
rm -rf "$work"
mkdir -p "$work"

source "$(dirname "${BASH_SOURCE[0]}")/../desktop/xvfb.sh"
trap stop_xvfb EXIT
start_xvfb 141 190 || { echo "export test: Xvfb could not start" >&2; exit 1; }
export DISPLAY="$display"

fail() { echo "export test: $*" >&2; exit 1; }

timeout 120 "$app" --frames 40 --play --export-dir "$work" --export state_json --export weights_json \
  --export curves_csv --export layers_csv --export pytorch --export png >"$work/run.log" 2>&1 ||
  { cat "$work/run.log"; fail "normlab --export exited with an error"; }

for f in normlab-state.json normlab-weights.json normlab-curves.csv normlab-layers.csv normlab_model.py normlab.png; do
  [ -s "$work/$f" ] || fail "$f was not written"
done
head -1 "$work/normlab-curves.csv" | grep -qx 'step,epoch,batch_loss,train_loss,test_loss,train_accuracy,test_accuracy' ||
  fail "curves CSV header"
[ "$(wc -l <"$work/normlab-curves.csv")" -gt 10 ] || fail "curves CSV has too few steps (did it train?)"
grep -q 'nn.BatchNorm1d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)' "$work/normlab_model.py" ||
  fail "PyTorch snippet lacks the BatchNorm settings"
head -c 8 "$work/normlab.png" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' || fail "normlab.png is not a PNG"
[ "$(stat -c %s "$work/normlab.png")" -gt 20000 ] || fail "normlab.png is suspiciously small (blank?)"
grep -q '"format":"normlab-state"' "$work/normlab-state.json" || grep -q '"format": "normlab-state"' "$work/normlab-state.json" ||
  fail "state JSON lacks its format"

out=$(timeout 120 "$app" --frames 4 --import "$work/normlab-state.json" 2>&1) || { echo "$out"; fail "--import of the exported state failed"; }
echo "$out" | grep -q 'Imported the state file (step [1-9]' || { echo "$out"; fail "--import did not restore the training step"; }

sed 's/"version": *1/"version": 7/' "$work/normlab-state.json" >"$work/broken.json"
if out=$(timeout 120 "$app" --frames 4 --import "$work/broken.json" 2>&1); then
  fail "a state file of another version was accepted"
fi
echo "$out" | grep -q 'version must be 1' || { echo "$out"; fail "the refusal does not name the key"; }
echo "export test: 6 files exported, re-imported, broken file refused"
