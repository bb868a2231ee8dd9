#!/usr/bin/env bash
# CLI contract of experiments side by side (issue 10): --group-by, --keep-flagged, flag columns and
# the IsoFLOP (Approach 2) output. usage: cli_groups_test.sh PATH/TO/scalecalc REPO_ROOT [DATA_DIR]
set -uo pipefail
bin="$1"
root="$2"
external="${3:-$root/../shared/data/external}"
iso="$external/isoflops_multi_source.csv"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# run EXPECTED_RC ARGS...  (stdout in $tmp/out, stderr in $tmp/err)
run() {
  local expected="$1"; shift
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  [[ $rc -eq $expected ]] || { fail "scalecalc $* -> exit $rc, expected $expected: $(head -c 300 "$tmp/err")"; return 1; }
}
err_has() { for s in "$@"; do grep -qF -- "$s" "$tmp/err" || fail "stderr lacks '$s': $(head -c 300 "$tmp/err")"; done; }
out_has() { for s in "$@"; do grep -qF -- "$s" "$tmp/out" || fail "stdout lacks '$s'"; done; }
# json EXPR...: stdout is strict JSON and every Python EXPR over j holds.
json() {
  python3 - "$tmp/out" "$@" <<'PY' || failures=$((failures + 1))
import json, sys
def reject(c): raise ValueError("non-JSON constant " + c)
j = json.loads(open(sys.argv[1]).read(), parse_constant=reject)
bad = [e for e in sys.argv[2:] if not eval(e, {"j": j})]
for e in bad: print("FAIL: JSON check false: " + e)
sys.exit(1 if bad else 0)
PY
}

# --- bad input: flags and columns --------------------------------------------------------------
printf 'params,tokens,loss,exp\n1e8,2e9,3.1,a\n2e8,2e9,3.0,b\n' >"$tmp/small.csv"
run 2 fit "$tmp/small.csv" --group-by && err_has "--group-by"
# An empty column name is no grouping (the settings schema's "empty: one fit").
run 0 fit "$root/assets/example_sweep.csv" --group-by "" --bootstrap 0 --json &&
  json '"groups" not in j and j["loss_law"]["E"] is not None'
run 2 fit "$tmp/small.csv" --group-by nosuch && err_has "--group-by" "nosuch" "exp"
run 2 plan --preset paper --budget 1e22 --group-by exp && err_has "--group-by" "fit"
run 2 fit "$tmp/small.csv" --keep-flagged=yes && err_has "--keep-flagged"
python3 -c "
print('params,tokens,loss,run_id')
for i in range(10000): print(f'{1e8+i},2e9,{3-i*1e-5},r{i}')" >"$tmp/wide.csv"
run 2 fit "$tmp/wide.csv" --group-by run_id --bootstrap 0 && err_has "--group-by" "50"
printf 'params,tokens,loss,outlier\n1e8,2e9,3.1,false\n2e8,2e9,3.0,perhaps\n' >"$tmp/flag.csv"
run 2 fit "$tmp/flag.csv" && err_has "line 3" "column 4" "perhaps" "outlier"

# --- the IsoFLOP collection --------------------------------------------------------------------
if [[ -f "$iso" ]]; then
  if run 0 fit "$iso" --group-by experiment --bootstrap 20 --budget 1e22 --json; then
    json 'len(j["groups"]) == 8 and j["group_by"] == "experiment"' \
      'all(g["ok"] and g["loss_law"]["E"] is not None for g in j["groups"])' \
      'sum(len(g["input"]["flagged"]["rows"]) for g in j["groups"]) == 197' \
      'all(g["input"]["flagged"]["reason"] == "flagged by column outlier" for g in j["groups"])' \
      'all(g["isoflop"]["ok"] and 0.3 < g["isoflop"]["params_exp"] < 0.7 for g in j["groups"])' \
      'all(len(g["isoflop"]["ci95"]["params_exp"]) == 2 for g in j["groups"])' \
      'all(k in b for g in j["groups"] for b in g["isoflop"]["budgets"] for k in ("flops","points","params_opt","tokens_opt","loss_opt","flag"))' \
      'all("plan" in g and g["comparison_row"]["params_opt"] > 0 for g in j["groups"])'
  fi
  run 0 fit "$iso" --group-by experiment --bootstrap 0 &&
    out_has "Groups by experiment" "llama_3__raw_loss" "flagged by column outlier" "IsoFLOP profiles"
  # Ungrouped: the outliers are out, --keep-flagged brings them back.
  run 0 fit "$iso" --bootstrap 0 --json &&
    json 'len(j["input"]["flagged"]["rows"]) == 197 and j["input"]["flagged"]["kept"] is False' \
      '"experiment" in j["input"]["text_columns"] and "isoflop" in j'
  run 0 fit "$iso" --bootstrap 0 --keep-flagged --json &&
    json 'j["excluded"] == [] and j["input"]["flagged"]["kept"] is True and len(j["input"]["flagged"]["rows"]) == 197'
else
  echo "note: $iso missing, real-data checks skipped"
fi
echo "groups CLI checks: $failures failures"
[[ $failures -eq 0 ]]
