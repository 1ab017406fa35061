#!/usr/bin/env bash
# The shipped JS runs under a strict CSP (script-src 'self' 'wasm-unsafe-eval'): neither the
# generated normlab.js nor the page's own scripts may call eval or build functions from text.
# usage: wasm_no_eval_check.sh WEB_DIR
set -euo pipefail
dir="$1"
status=0
for f in "$dir"/*.js "$dir"/examples/*.js; do
  [[ -f "$f" ]] || continue
  if grep -nE '(^|[^A-Za-z0-9_.$])eval\(|new Function\(|(^|[^A-Za-z0-9_$])Function\(|setTimeout\("' "$f" >/dev/null; then
    echo "FAIL $f calls eval or builds code from text:"
    grep -noE '.{0,40}((^|[^A-Za-z0-9_.$])eval\(|new Function\(|(^|[^A-Za-z0-9_$])Function\().{0,40}' "$f" | head -5
    status=1
  else
    echo "ok   $f has no eval / new Function"
  fi
done
exit $status
