#!/usr/bin/env bash
# One bounded libFuzzer run for CTest, or a replay of the committed inputs:
#   run_fuzz.sh FUZZER NAME FUZZ_DIR WORK_DIR SECONDS|replay DICT
# Fuzzing reads the seed corpus (FUZZ_DIR/corpus/NAME) and past crashes
# (FUZZ_DIR/regressions/NAME) and writes new inputs only to WORK_DIR (the committed corpus
# stays as it is). Prints the number of executions; exits non-zero on any crash, leak,
# sanitizer report, timeout or out-of-memory (the input is saved in WORK_DIR/NAME-artifacts/).
set -uo pipefail
fuzzer="$1"; name="$2"; src="$3"; work="$4"; seconds="$5"; dict="${6:-}"
seeds="$src/corpus/$name"
regressions="$src/regressions/$name"
mkdir -p "$work/$name-corpus" "$work/$name-artifacts" "$regressions"
log="$work/$name.log"
common=(-rss_limit_mb=2048 -timeout=30 -print_final_stats=1 -artifact_prefix="$work/$name-artifacts/")
if [ "$seconds" = replay ]; then
  log="$work/$name-replay.log"  # the bounded run (another CTest test) writes $name.log
  # Every seed and every past crash input, once each (libFuzzer runs files given by name).
  mapfile -t files < <(find "$seeds" "$regressions" -type f ! -name '.*' | sort)
  if [ "${#files[@]}" -eq 0 ]; then echo "fuzz $name: nothing to replay" >&2; exit 1; fi
  "$fuzzer" "${common[@]}" "${files[@]}" >"$log" 2>&1
  rc=$?
  echo "fuzz $name replay: ${#files[@]} input(s) ($(find "$regressions" -type f ! -name '.*' | wc -l) regression(s)), exit $rc" \
    | tee "$work/$name-replay.summary"
else
  args=("${common[@]}" -max_total_time="$seconds")
  [ -n "$dict" ] && args+=(-dict="$dict")
  "$fuzzer" "${args[@]}" "$work/$name-corpus" "$seeds" "$regressions" >"$log" 2>&1
  rc=$?
  runs=$(grep -aE '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -n 1)
  cov=$(grep -aE '^#[0-9]+' "$log" | tail -n 1 | sed -E 's/.*cov: ([0-9]+).*/\1/')
  echo "fuzz $name: ${runs:-?} executions in ${seconds} s, coverage ${cov:-?} edges, corpus $(ls "$work/$name-corpus" | wc -l) new input(s), exit $rc" \
    | tee "$work/$name.summary"
fi
if [ "$rc" -ne 0 ]; then
  echo "--- libFuzzer output (tail)"
  tail -n 60 "$log"
  echo "crash inputs: $(ls "$work/$name-artifacts/" 2>/dev/null | tr '\n' ' ')"
fi
exit "$rc"
