#!/usr/bin/env bash
# Checks that the shipped .wasm really uses WebAssembly SIMD (v128 instructions), so a
# build that silently lost -msimd128 fails. usage: wasm_simd_check.sh <file.wasm> [min]
set -euo pipefail
wasm="${1:?wasm file}"
min="${2:-50}"
[ -s "$wasm" ] || { echo "simd check: $wasm is missing" >&2; exit 1; }
count=$(wasm-objdump -d "$wasm" | grep -cE '\b(v128|[fi](8x16|16x8|32x4|64x2))\.' || true)
echo "simd check: $wasm has $count SIMD instructions (need at least $min)"
[ "$count" -ge "$min" ]
