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
# rc_of ARGS...: the exit status alone.
rc_of() { "$bin" "$@" >/dev/null 2>&1 </dev/null; echo $?; }
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
# --- statuses and exit codes per group, as the ungrouped path gives them (issue 13) ------------
# Each group's rows are also fitted alone: the grouped run must say what those runs say.
edge="$(dirname "$external")/edge"
# A surface sweep (3 sizes x 4 budgets from a known law), the one-size sweep of edge/, and a group
# whose every row is flagged; each file alone and all three in one file with a column `exp`.
python3 - "$tmp" "$edge/one_n.csv" <<'PY'
import sys
tmp, one_n = sys.argv[1], sys.argv[2]
rows = {"full": [(n, t, 1.7 + 400 * n ** -0.34 + 410 * t ** -0.28, "false")
                 for n in (1e8, 3e8, 1e9) for t in (2e9, 6e9, 2e10, 6e10)]}
try:
    lines = open(one_n).read().split()[1:]
    rows["onesize"] = [tuple(float(x) for x in l.split(",")) + ("false",) for l in lines]
except OSError:
    pass
rows["out"] = [(1e8, 2e9, 3.1, "true"), (2e8, 2e9, 3.0, "true")]
def write(path, names):
    with open(path, "w") as f:
        f.write("params,tokens,loss,outlier,exp\n")
        for name in names:
            for r in rows[name]: f.write(",".join(repr(x) if isinstance(x, float) else x for x in r) + "," + name + "\n")
for name in rows: write(f"{tmp}/{name}.csv", [name])
write(f"{tmp}/mixed.csv", list(rows))
write(f"{tmp}/twice.csv", ["full"])
with open(f"{tmp}/twice.csv", "a") as f:
    for r in rows["full"]: f.write(",".join(repr(x) if isinstance(x, float) else x for x in r) + ",again\n")
PY
if [[ -f "$edge/one_n.csv" ]]; then
  for name in full onesize; do
    "$bin" fit "$tmp/$name.csv" --bootstrap 0 --budget 1e22 --json >"$tmp/$name.json" 2>/dev/null
  done
  # Rows all flagged, alone: nothing to fit, bad input.
  run 2 fit "$tmp/out.csv" --bootstrap 0 && err_has "every run is excluded"
  # A full group, a partial one (one model size: cells, no loss law) and one with no data: a
  # result, exit 0; each group's status, termination, warnings and plan are its rows' alone.
  if run 0 fit "$tmp/mixed.csv" --group-by exp --bootstrap 0 --budget 1e22 --json; then
    cp "$tmp/out" "$tmp/mixed.json"
    python3 - "$tmp/mixed.json" "$tmp/full.json" "$tmp/onesize.json" <<'PY' || failures=$((failures + 1))
import json, sys
def load(p): return json.load(open(p), parse_constant=lambda c: None)
grouped, alone = load(sys.argv[1]), {"full": load(sys.argv[2]), "onesize": load(sys.argv[3])}
bad = []
by_name = {g["name"]: g for g in grouped["groups"]}
codes = lambda j: sorted(w["code"] for w in j["warnings"])
for name, a in alone.items():
    g = by_name[name]
    for key in ("status", "termination", "ok"):
        if g.get(key) != a.get(key): bad.append(f"{name}: {key} {g.get(key)} != alone {a.get(key)}")
    if codes(g) != codes(a): bad.append(f"{name}: warnings {codes(g)} != alone {codes(a)}")
    if ("plan" in g) != ("plan" in a): bad.append(f"{name}: plan present {'plan' in g} vs alone {'plan' in a}")
    elif "plan" in a:
        for key in ("ok", "status", "message"):
            if g["plan"].get(key) != a["plan"].get(key):
                bad.append(f"{name}: plan {key} {g['plan'].get(key)!r} != alone {a['plan'].get(key)!r}")
if alone["full"]["status"] != "ok" or "plan" not in alone["full"]: bad.append("the surface alone is not ok and planned")
if alone["onesize"]["status"] != "partial": bad.append("the one-size file alone is not partial")
out = by_name["out"]
if out["status"] != "failed" or out["termination"] != "no data" or "plan" in out:
    bad.append(f"out: {out['status']} {out['termination']} plan {'plan' in out}")
if grouped.get("status") != "partial": bad.append(f"grouped status {grouped.get('status')}, expected partial")
for b in bad: print("FAIL: " + b)
sys.exit(1 if bad else 0)
PY
  fi
  run 0 fit "$tmp/mixed.csv" --group-by exp --bootstrap 0 --budget 1e22 &&
    err_has "group onesize: partial result" "warning: [loss_law_not_fitted] group onesize: " \
      "group out: fit failed" &&
    { [[ $(grep -c "\[loss_law_not_fitted\] group onesize" "$tmp/err") -eq 1 ]] ||
        fail "a group's warning is not once on stderr"; } &&
    out_has "=== exp = onesize ==="
  # A budget no group can plan is the input's fault, as ungrouped (a plan of a few FLOPs).
  expected="$(rc_of fit "$tmp/full.csv" --bootstrap 0 --budget 7)"
  [[ "$expected" == 2 ]] || fail "--budget 7 alone exits $expected, expected 2"
  run 2 fit "$tmp/twice.csv" --group-by exp --bootstrap 0 --budget 7 &&
    err_has "group full: plan:" "group again: plan:"
  # The grouped section of a group prints the plan its rows alone print, DiT lines and all.
  "$bin" fit "$tmp/full.csv" --bootstrap 0 --budget 1e22 >"$tmp/full.txt" 2>/dev/null
  run 0 fit "$tmp/twice.csv" --group-by exp --bootstrap 0 --budget 1e22 &&
    python3 - "$tmp/out" "$tmp/full.txt" <<'PY' || failures=$((failures + 1))
import sys
grouped, alone = open(sys.argv[1]).read(), open(sys.argv[2]).read()
if "\nPlan at" not in alone: print("FAIL: no plan in the ungrouped report"); sys.exit(1)
plan_alone = alone[alone.index("\nPlan at"):].split("\nIsoFLOP")[0].strip()
section = grouped[grouped.index("=== exp = full ==="):grouped.index("=== exp = again ===")]
if plan_alone not in section: print("FAIL: group full's plan differs from the ungrouped plan"); sys.exit(1)
PY
else
  echo "note: $edge/one_n.csv missing, status checks skipped"
fi
echo "groups CLI checks: $failures failures"
[[ $failures -eq 0 ]]
