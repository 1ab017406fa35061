#!/usr/bin/env bash
# The shipped JS runs under a strict CSP (script-src 'self' 'wasm-unsafe-eval'): neither the
# generated normlab.js nor the page's own scripts may call eval or build functions from text.
# usage: wasm_no_eval_check.sh WEB_DIR
set -euo pipefail
dir="${1:?usage: wasm_no_eval_check.sh WEB_DIR}"
status=0
checked=0
for f in "$dir"/*.js "$dir"/examples/*.js; do
  [[ -f "$f" ]] || continue
  checked=$((checked + 1))
  if grep -nE '(^|[^A-Za-z0-9_.$])eval\(|new Function\(|(^|[^A-Za-z0-9_$])Function\(|setTimeout\("' "$f" >/dev/null; then
    echo "FAIL $f calls eval or builds code from text:"
    grep -noE '.{0,40}((^|[^A-Za-z0-9_.$])eval\(|new Function\(|(^|[^A-Za-z0-9_$])Function\().{0,40}' "$f" | head -5
    status=1
  else
    echo "ok   $f has no eval / new Function"
  fi
done
# The generated normlab.js and the page's scripts must be there: no files is a failure.
if [[ ! -f "$dir/normlab.js" ]]; then
  echo "FAIL $dir/normlab.js is missing (checked $checked files)"
  status=1
elif [[ $checked -lt 2 ]]; then
  echo "FAIL only $checked script(s) in $dir: the page's own scripts are missing"
  status=1
fi
exit $status
