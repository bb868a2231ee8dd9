#!/usr/bin/env bash
# Builds the `fuzz` preset (ASan + UBSan) and runs every fuzz target for SECONDS each (default 30)
# with inputs up to 64 KiB. A target is fuzz/<name>.cpp (name ends in _fuzz); it starts from a copy of
# fuzz/corpus/<name without _fuzz>/ in a temporary folder, so the committed corpus does not grow.
# Crash inputs are kept in build/<preset>/artifacts/<name>/, each run's log in build/<preset>/logs/.
# Exits non-zero if any target crashed. For the long campaign (fuzz/campaign.sh): FUZZ_RUNS=N
# stops each target after N executions (SECONDS still bounds it), FUZZ_PRESET picks the build
# (default fuzz), FUZZ_CORPUS=DIR keeps each target's corpus in DIR/<name> instead of a
# temporary copy.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      e.g. fuzz/run.sh 60 csv_fuzz
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

preset="${FUZZ_PRESET:-fuzz}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j2 --target "${targets[@]}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
limits=(-max_total_time="$seconds")
[ -n "${FUZZ_RUNS:-}" ] && limits+=(-runs="$FUZZ_RUNS")
logs="build/$preset/logs"
mkdir -p "$logs"
failed=()
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/${target%_fuzz}"
  artifacts="build/$preset/artifacts/$target"
  dir="${FUZZ_CORPUS:-$work}/$target"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    if [ -d "$corpus" ]; then cp -R "$corpus/." "$dir/"; fi
  fi
  mkdir -p "$artifacts"
  echo "[fuzz] $target: ${seconds}s from $corpus"
  log="$logs/$target.log"
  if ! "build/$preset/fuzz/$target" "${limits[@]}" -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$dir" 2>"$log"; then
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
