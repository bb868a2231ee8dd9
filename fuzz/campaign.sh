#!/usr/bin/env bash
# The long fuzz campaign (issue 13; not part of CI): every target, or those named, to RUNS
# executions (default 2,000,000, MAX_SECONDS per target at most, default 5400) with UBSan alone
# (the fuzz-campaign preset: several times faster than under ASan), each corpus kept in
# build/fuzz-campaign/corpus/<name>; then every input the campaign kept is replayed once under
# AddressSanitizer + UBSan (the fuzz preset). Record the figures in fuzz/README.md.
#
#   fuzz/campaign.sh [TARGET...]      e.g. RUNS=500000 fuzz/campaign.sh csv_fuzz
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in fuzz/*_fuzz.cpp; do
    targets+=("$(basename "$source" .cpp)")
  done
fi
corpus=build/fuzz-campaign/corpus
FUZZ_PRESET=fuzz-campaign FUZZ_RUNS="${RUNS:-2000000}" FUZZ_CORPUS="$corpus" \
  bash fuzz/run.sh "${MAX_SECONDS:-5400}" "${targets[@]}"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2 --target "${targets[@]}"
failed=()
for target in "${targets[@]}"; do
  log="build/fuzz-campaign/logs/$target.replay.log"
  # -runs=0: execute every corpus input once, mutate nothing.
  if build/fuzz/fuzz/"$target" -runs=0 -max_len=65536 "$corpus/$target" 2>"$log"; then
    echo "[campaign] $target: $(find "$corpus/$target" -type f | wc -l) inputs replayed clean under ASan + UBSan"
  else
    tail -n 40 "$log"
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "[campaign] replay failed: ${failed[*]}"
  exit 1
fi
