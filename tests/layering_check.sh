#!/usr/bin/env bash
# Checks the layering by what each layer includes (CMake links enforce libraries; this
# catches header-only leaks): core <- app <- ui <- platform; tools use core/app only.
# usage: layering_check.sh <repo root>
set -uo pipefail
root="${1:?repo root}"
cd "$root/src" || exit 1
status=0

forbid() { # layer pattern reason
  local layer=$1 pattern=$2 reason=$3 hits files
  # An empty or missing layer would pass every check: that is a broken checkout, not "ok".
  files=$(find "$layer" \( -name '*.h' -o -name '*.cpp' \) 2>/dev/null | wc -l)
  if [ "$files" -eq 0 ]; then
    echo "layering: FAIL $layer has no .h or .cpp files (missing or moved?)"
    status=1
    return
  fi
  hits=$(grep -rnE "$pattern" "$layer" --include='*.h' --include='*.cpp' || true)
  if [ -n "$hits" ]; then
    echo "layering: $layer must not $reason:"
    echo "$hits" | sed 's/^/  /'
    status=1
  else
    echo "layering: ok  $layer does not $reason"
  fi
}

gui='#include [<"](imgui|SDL|GL/|GLES|emscripten|platform/|ui/)'
forbid core "$gui|#include [<\"]app/" "include app, ui, platform, ImGui, SDL, GL or emscripten"
forbid core '\b(fopen|ifstream|ofstream|fstream)\b' "do file I/O"
forbid app "$gui" "include ui, platform, ImGui, SDL, GL or emscripten"
forbid ui '#include [<"](SDL|GL/|GLES|emscripten|platform/)' "include platform, SDL, GL or emscripten"
forbid tools "$gui" "include ui, platform, ImGui, SDL, GL or emscripten"
exit $status
