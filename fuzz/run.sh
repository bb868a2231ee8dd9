#!/usr/bin/env bash
# Builds the `fuzz` preset and runs every fuzz target for SECONDS each (default 30) with inputs up
# to 64 KiB. A target is fuzz/<name>.cpp (name ends in _fuzz); it starts from a copy of
# fuzz/corpus/<name without _fuzz>/ in a temporary folder, so the committed corpus does not grow.
# Crash inputs are kept in build/fuzz/artifacts/<name>/, each run's log in build/fuzz/logs/.
# Exits non-zero if any target crashed. FUZZ_RUNS=N stops each target after N executions instead
# (SECONDS still bounds it): the long campaign of fuzz/README.md.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      e.g. fuzz/run.sh 60 csv_fuzz
#   FUZZ_RUNS=2000000 fuzz/run.sh 3600     every target to 2M executions (or an hour)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${1:-30}"
[ $# -gt 0 ] && shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in fuzz/*_fuzz.cpp; do
    targets+=("$(basename "$source" .cpp)")
  done
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2 --target "${targets[@]}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
limits=(-max_total_time="$seconds")
[ -n "${FUZZ_RUNS:-}" ] && limits+=(-runs="$FUZZ_RUNS")
mkdir -p build/fuzz/logs
failed=()
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/${target%_fuzz}"
  artifacts="build/fuzz/artifacts/$target"
  mkdir -p "$work/$target" "$artifacts"
  if [ -d "$corpus" ]; then cp -R "$corpus/." "$work/$target/"; fi
  echo "[fuzz] $target: ${seconds}s from $corpus"
  log="build/fuzz/logs/$target.log"
  if ! "build/fuzz/fuzz/$target" "${limits[@]}" -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$work/$target" 2>"$log"; then
    tail -n 40 "$log"
    failed+=("$target")
    echo "[fuzz] $target FAILED: crash inputs in $artifacts/"
  else
    grep -E "stat::number_of_executed_units|cov:" "$log" | tail -n 2 || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "[fuzz] failed: ${failed[*]}"
  exit 1
fi
echo "[fuzz] all targets ran clean: ${targets[*]}"
