#!/usr/bin/env bash
# CLI contract test: runs the built scalecalc on good and bad inputs and checks exit codes,
# stderr messages (flag names, paths, CSV line and column) and the JSON keys scripts rely on.
# usage: cli_test.sh PATH/TO/scalecalc REPO_ROOT [EXTERNAL_DATA_DIR]
set -uo pipefail
bin="$1"
root="$2"
external="${3:-$root/../shared/data/external}"
example="$root/assets/example_sweep.csv"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run EXPECTED_RC ARGS...: runs the binary, leaves stdout/stderr in $tmp/out and $tmp/err.
run() {
  local expected="$1"; shift
  checks=$((checks + 1))
  last_command="scalecalc $*"
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  if [[ $rc -ne $expected ]]; then
    fail "scalecalc $* -> exit $rc, expected $expected; stderr: $(head -c 400 "$tmp/err")"
    return 1
  fi
}
run_stdin() {  # run_stdin EXPECTED_RC INPUT ARGS...
  local expected="$1" input="$2"; shift 2
  checks=$((checks + 1))
  last_command="scalecalc $* (stdin)"
  printf '%b' "$input" | "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [[ $rc -ne $expected ]]; then
    fail "scalecalc $* (stdin) -> exit $rc, expected $expected; stderr: $(head -c 400 "$tmp/err")"
    return 1
  fi
}
err_has() {  # stderr contains every argument
  for s in "$@"; do
    grep -qF -- "$s" "$tmp/err" || fail "stderr lacks '$s': $(head -c 400 "$tmp/err")"
  done
}
out_has() {
  for s in "$@"; do grep -qF -- "$s" "$tmp/out" || fail "stdout lacks '$s'"; done
}
# json_check EXPR...: stdout must be one strict JSON object (no NaN/Infinity) for which every
# EXPR (Python, over j) holds. Checked all at once at the end: python3 starts slowly.
json_count=0
json_check() {
  json_count=$((json_count + 1))
  cp "$tmp/out" "$tmp/json_$json_count.out"
  printf '%s\n' "$last_command" "$@" >"$tmp/json_$json_count.exprs"
}
check_json_all() {
  python3 - "$tmp" "$json_count" <<'PY'
import json, sys
def reject(c): raise ValueError("non-JSON constant " + c)
folder, count = sys.argv[1], int(sys.argv[2])
failures = 0
for i in range(1, count + 1):
    command, *exprs = open(f"{folder}/json_{i}.exprs").read().splitlines()
    try:
        j = json.loads(open(f"{folder}/json_{i}.out").read(), parse_constant=reject)
        assert isinstance(j, dict), "not an object"
    except Exception as e:
        print(f"FAIL: {command}: invalid JSON: {e}")
        failures += 1
        continue
    for e in exprs:
        try:
            ok = eval(e, {"j": j})
        except Exception as x:
            ok = False
            e += f" ({type(x).__name__}: {x})"
        if not ok:
            print(f"FAIL: {command}: JSON check false: {e}")
            failures += 1
sys.exit(1 if failures else 0)
PY
}

# --- help, commands, flags ---------------------------------------------------------------------
run 0 --help && out_has "usage" "scalecalc fit" "scalecalc plan"
run 0 fit --help
run 2 && err_has "no command"
run 2 frobnicate && err_has "frobnicate"
run 2 plan --preset paper --budget 1e22 --frob && err_has "--frob"
run 2 plan --preset paper --budget && err_has "--budget" "needs a value"
run 2 presets --budget 1e22 && err_has "presets"

# --- presets -----------------------------------------------------------------------------------
run 0 presets && out_has paper chinchilla epoch deepseek steplaw liang
run 0 presets --json && json_check '{"paper","chinchilla","epoch","deepseek","steplaw"} <= {p["name"] for p in j["presets"]}'

# --- plan from a preset ------------------------------------------------------------------------
run 0 plan --preset paper --budget 1e22 --json &&
  json_check 'all(k in j["plan"] for k in ("flops","params","tokens","lr","batch_tokens","loss","smallest","inference_saving","inference_saving_fraction","budget_flops","inference_saving_flops"))' \
    'j["plan"]["flops"] == 1e22 and 1e9 < j["plan"]["params"] < 1e10 and j["plan"]["ok"]' \
    'abs(j["plan"]["ideal"]["params"] * j["plan"]["ideal"]["tokens"] * 6 / 1e22 - 1) < 1e-9' \
    'abs(j["comparison"]["published_params"][0] / 2.43e9 - 1) < 0.01' \
    '"total_cost" not in j["plan"]'
run 0 plan --preset PAPER --budget 5.85e20 && out_has "differ" "0.4294"
run 0 plan --preset paper --budget 1e22 --videos 1e8 --json &&
  json_check 'j["plan"]["total_cost"]["params"] < j["plan"]["params"] and 0 < j["plan"]["total_cost_saving"] < 1'
run 0 plan --preset paper --budget=1e22 --max-params 1B --json &&
  json_check 'j["plan"]["constrained"] and j["plan"]["ideal"]["params"] == 1e9 and j["plan"]["params"] <= 1e9'
run 0 plan --preset paper --budget 1e22 --compute dit --tokens-per-sample 1280 --json &&
  json_check 'j["plan"]["compute"] == "dit"'
run 2 plan --preset deepseek --budget 1e22 && err_has "no loss law" "--params"
run 0 plan --preset deepseek --budget 1e22 --params 7B --json &&
  json_check 'j["plan"]["loss"] is None and j["plan"]["lr"] > 0 and j["plan"]["ideal"]["params"] == 7e9'
run 2 plan --budget 1e22 && err_has "--preset"
run 2 plan --preset nosuch --budget 1e22 && err_has "nosuch"
run 2 plan --preset paper && err_has "--budget"
for bad in abc -1 0 nan inf 1e40 ""; do
  run 2 plan --preset paper --budget "$bad" && err_has "--budget"
done
run 2 plan --preset paper --budget 1e22 --tolerance 0.7 && err_has "--tolerance"
run 2 plan --preset paper --budget 1e22 --max-params 0 && err_has "--max-params"
run 2 plan --preset paper --budget 1e22 --max-params -3B && err_has "--max-params"
run 2 plan --preset paper --budget 1e22 --videos -5 && err_has "--videos"
run 2 plan --preset paper --budget 1e22 --compute 7n && err_has "--compute" "7n"
run 2 plan --preset paper --budget 1e22 --max-params 1e8 --max-tokens 1e10 && err_has "caps"
run 2 plan --preset paper --budget 1e22 --json --skip-bad-rows && err_has "--skip-bad-rows"

# --- practical shapes and forced values ---------------------------------------------------------
for compute in 6n dit; do
  run 0 plan --preset paper --budget 1e22 --compute "$compute" --batch-divisor 16 --json &&
    json_check 'all(s["depth"] == int(s["depth"]) and s["width"] % 64 == 0 and s["heads"] * 64 == s["width"] and s["head_dim"] == 64 for s in [j["plan"]["shape"]])' \
      'all(p["params"] == 16 * p["shape"]["depth"] * p["shape"]["width"] ** 2 for p in [j["plan"]])' \
      'all(p["batch_samples"] % 16 == 0 and p["steps"] == int(p["steps"]) and p["tokens"] == p["steps"] * p["batch_tokens"] for p in [j["plan"]])' \
      '2 <= len(j["plan"]["nearby_shapes"]) <= 3 and all(q["loss"] >= j["plan"]["loss"] for q in j["plan"]["nearby_shapes"])' \
      'abs(j["plan"]["ideal"]["params"] / j["plan"]["params"] - 1) < 0.1 and j["plan"]["ideal"]["shape"]["heads"] is None'
done
run 0 plan --preset paper --budget 1e22 --block-params 12 --width-multiple 128 --json &&
  json_check 'all(p["params"] == 12 * p["shape"]["depth"] * p["shape"]["width"] ** 2 and p["shape"]["width"] % 128 == 0 for p in [j["plan"]])'
run 2 plan --preset paper --budget 1e22 --compute dit --block-params 12 && err_has "--block-params"
run 0 plan --preset paper --budget 1e22 --width 2048 --depth 24 --json &&
  json_check 'j["plan"]["params"] == 16 * 24 * 2048 ** 2 and j["plan"]["shape"]["heads"] == 32' \
    'j["plan"]["constraint_loss_cost"] >= 0 and "free_optimum" in j["plan"]'
# A preset has no sensitivity fit: the penalty of a forced batch is unknown, not zero.
run 0 plan --preset paper --budget 1e22 --batch-samples 4096 --json &&
  json_check 'j["plan"]["batch_samples"] == 4096 and j["plan"]["hyperparameter_penalty"] is None' \
    '"unknown" in j["plan"]["message"] and j["plan"]["constraint_loss_cost"] is None'
# The example sweep has a sensitivity fit: 4x the optimal batch costs loss.
run 0 fit "$example" --bootstrap 0 --budget 1e22 --json && cp "$tmp/out" "$tmp/free.json"
batch4=$(python3 -c 'import json,sys; print(4 * json.load(open(sys.argv[1]))["plan"]["batch_tokens"])' "$tmp/free.json")
run 0 fit "$example" --bootstrap 0 --budget 1e22 --batch-tokens "$batch4" --json &&
  json_check 'j["plan"]["hyperparameter_penalty"] > 0 and j["plan"]["loss"] > j["plan"]["free_optimum"]["loss"]' \
    '0 < j["plan"]["constraint_loss_cost"] and 0 < j["plan"]["constraint_budget_fraction"] < 1' \
    'j["plan"]["constraint_flops_cost"] == j["plan"]["constraint_budget_fraction"] and j["plan"]["flops"] == j["plan"]["budget_flops"] == 1e22'
run 0 plan --preset paper --budget 1e22 --lr 1e-4 && out_has "free optimum" "constraint costs"
# (empty, none and nan mean "not forced")
for bad in 0 -1280 100 abc inf 1e30; do
  run 2 plan --preset paper --budget 1e22 --batch-tokens "$bad" && err_has "--batch-tokens"
done
for bad in 0 -4 2.5 abc; do
  run 2 plan --preset paper --budget 1e22 --batch-samples "$bad" && err_has "--batch-samples"
done
run 2 plan --preset paper --budget 1e22 --batch-samples 64 --batch-tokens 1e5 && err_has "give one"
run 2 plan --preset paper --budget 1e22 --width 1000 && err_has "--width" "64"
run 2 plan --preset paper --budget 1e22 --width 192 --width-multiple 128 && err_has "--width" "128"
run 2 plan --preset paper --budget 1e22 --head-dim 0 && err_has "--head-dim"
run 2 plan --preset paper --budget 1e22 --head-dim nan && err_has "--head-dim"
run 2 plan --preset paper --budget 1e22 --depth 2.5 && err_has "--depth"
run 2 plan --preset paper --budget 1e22 --lr -1 && err_has "--lr"
run 2 plan --preset paper --budget 1e22 --lr 1e9 && err_has "--lr"
run 2 plan --preset paper --budget 1e22 --batch-divisor 0 && err_has "--batch-divisor"
run 2 plan --preset paper --budget 1e22 --batch-divisor 1.5 && err_has "--batch-divisor"
run 2 plan --preset paper --budget 1e22 --width 2048 --depth 24 --params 1e9 && err_has "--params"
# Liang et al. 2024: no loss law, planned at its published N_opt(C).
for c in 1e21 1e23; do
  run 0 plan --preset liang --budget "$c" --json &&
    json_check "abs(j['plan']['ideal']['params'] / (0.0009 * $c ** 0.5681) - 1) < 1e-9" \
      "abs(j['plan']['ideal']['tokens'] / (186.85 * $c ** 0.4319) - 1) < 0.01" \
      'j["plan"]["loss"] is None and "published N_opt" in j["plan"]["message"]'
done

# --- design: the next runs ----------------------------------------------------------------------
run 0 design "$example" --budget 1e22 --max-flops 1e20 --allowance 3e19 --bootstrap 0 --threads 2 --json &&
  json_check 'j["ok"] and len(j["current"]["params_ci95"]) == 2 and len(j["current"]["loss_ci95"]) == 2' \
    'len(j["candidates"]) > 0 and all(k in c for c in j["candidates"] for k in ("params","tokens","runs","flops","lr","batch_tokens","expected_params_ci95","expected_loss_ci95","simulated"))' \
    'all(c["flops"] <= 1e20 for c in j["candidates"])' \
    'all(c["runs"] == len(c["lr"]) * len(c["batch_tokens"]) for c in j["candidates"])' \
    'j["termination"] == "ranked" and j["method"] == "simulated" and j["simulation"]["draws"] >= 1 and j["simulation"]["refits"] > 0 and len(j["cells"]) > 0' \
    'j["allowance_flops"] == 3e19 and j["recommended"]["flops"] <= 3e19 and len(j["recommended"]["cells"]) > 0' \
    'abs(sum(c["flops"] for c in j["recommended"]["cells"]) / j["recommended"]["flops"] - 1) < 1e-9' \
    'j["recommended"]["narrowing"] > 0 and j["recommended"]["simulated"]' \
    'all(set(w) == {"code", "message", "severity"} for w in j["warnings"])'
run 2 design "$example" --budget 1e22 --max-flops 1e20 --allowance 1e12 --bootstrap 0 &&
  err_has "--allowance" "cheapest"
for bad in 0 -1 abc inf 1e40; do
  run 2 design "$example" --budget 1e22 --max-flops 1e20 --allowance "$bad" --bootstrap 0 && err_has "--allowance"
done
run 2 fit "$example" --allowance 1e20 && err_has "--allowance" "design"
run 0 design "$example" --budget 1e22 --max-flops 1e20 --allowance 3e19 --bootstrap 0 &&
  out_has "Next runs" "Recommended set" "rank" "fresh draws"
run 0 design "$example" --budget 1e22 --max-flops 1e20 --bootstrap 0 && out_has "Next runs" "rank" &&
  err_has "warning: [cell_on_edge]"  # the fit's warnings, as for fit
run 2 design "$example" --budget 1e22 --max-flops 1e10 --bootstrap 0 && err_has "--max-flops" "one run"
for bad in 0 -1 abc nan inf 1e40; do  # "" is auto, as an empty field in the page
  run 2 design "$example" --budget 1e22 --max-flops "$bad" --bootstrap 0 && err_has "--max-flops"
done
run 2 design "$example" --max-flops 1e20 && err_has "--budget"
# The per-candidate limit's auto (what the sweep cost), as in the page.
run 0 design "$example" --budget 1e22 --max-flops auto --bootstrap 0 --json &&
  json_check 'j["ok"] and j["max_flops"] > 0 and all(c["flops"] <= j["max_flops"] for c in j["candidates"])'
run 2 design --budget 1e22 --max-flops 1e20 && err_has "CSV"
run 2 plan --preset paper --budget 1e22 --max-flops 1e20 && err_has "--max-flops" "design"
# Data without a loss law (two model sizes): the designer says why it cannot rank.
run_stdin 1 'params,tokens,loss\n1e8,2e9,0.61\n1e8,4e9,0.6\n1e8,8e9,0.59\n2e8,2e9,0.6\n2e8,4e9,0.59\n2e8,8e9,0.58\n' \
  design - --budget 1e22 --max-flops 1e20 --bootstrap 0 && err_has "loss law"

# --- settings-schema flags: each refuses bad values naming itself --------------------------------
run 0 plan --preset paper --budget 1e22 --cross-attention off --json &&
  cp "$tmp/out" "$tmp/cross_off.json"
run 0 plan --preset paper --budget 1e22 --cross-attention on --json &&
  python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['plan']; b=json.load(open(sys.argv[2]))['plan']; sys.exit(0 if a['inference_flops_per_video'] < b['inference_flops_per_video'] else 1)" \
    "$tmp/cross_off.json" "$tmp/out" || fail "--cross-attention off does not lower the inference count"
for bad in maybe "" 2; do
  run 2 plan --preset paper --budget 1e22 --cross-attention "$bad" && err_has "--cross-attention"
done
for flag in --text-tokens --head-dim --batch-divisor --tokens-per-video --sampling-steps \
            --width-per-depth; do
  for bad in abc -1 nan -inf 1e300 1.2.3 ""; do
    run 2 plan --preset paper --budget 1e22 "$flag" "$bad" && err_has "$flag"
  done
done
# Forced values and --params take 'none' (or nothing, or NaN) for "not forced".
for flag in --batch-tokens --lr --width --depth --params; do
  for bad in abc -1 0 -inf inf 1e300 1.2.3; do
    run 2 plan --preset paper --budget 1e22 "$flag" "$bad" && err_has "$flag"
  done
done
run 2 plan --preset paper --budget 1e22 --text-tokens 1.5 && err_has "--text-tokens" "whole"
run 2 plan --preset paper --budget 1e22 --batch-samples x && err_has "--batch-samples"
run 2 plan --preset paper --budget 1e22 --batch-samples 8 --batch-tokens 1e6 && err_has "--batch-samples"
run 0 plan --preset paper --budget 1e22 --lr none --width none --json
run 2 plan --preset paper --budget 1e22 --keep-flagged && err_has "--keep-flagged" "fit"
run 2 fit "$root/assets/example_sweep.csv" --keep-flagged=1 && err_has "--keep-flagged" "no value"
run 2 fit "$root/assets/example_sweep.csv" --group-by "$(head -c 5000 /dev/zero | tr '\0' x)" &&
  err_has "--group-by" "too large"
run 2 fit "$root/assets/example_sweep.csv" --bootstrap 100001 && err_has "--bootstrap" "100000"
run 2 fit "$root/assets/example_sweep.csv" --exclude 10000001 && err_has "--exclude"
run 2 fit "$root/assets/example_sweep.csv" --optimum band:50 && err_has "--optimum" "percentage"
# No message names a C++ identifier or a state-file path where a flag is meant.
for args in "--tolerance 2" "--budget -1" "--max-params 0" "--bootstrap x" "--exclude 0" "--videos -5"; do
  # shellcheck disable=SC2086
  run 2 fit "$root/assets/example_sweep.csv" $args
  if grep -qE '::|[a-z]+_[a-z_]+|plan\.|fit\.' "$tmp/err"; then fail "identifier in: $(cat "$tmp/err")"; fi
done

# --- fit: files and arguments ------------------------------------------------------------------
run 2 fit && err_has "CSV"
run 2 fit "$tmp/does-not-exist.csv" && err_has "$tmp/does-not-exist.csv"
run 2 fit "$tmp" && err_has "$tmp"
run 2 fit "$example" --bootstrap many && err_has "--bootstrap" "many"
run 2 fit "$example" --bootstrap -1 && err_has "--bootstrap"
run 2 fit "$example" --seed x && err_has "--seed"
# --threads: a whole number >= 1; the bootstrap's output is identical for any thread count.
for bad in "" 0 -1 1.5 nan inf x 99999999999999999999 100000; do
  run 2 fit "$example" --bootstrap 0 --threads "$bad" && err_has "--threads"
done
run 2 fit "$example" --threads && err_has "--threads"
run 2 plan --preset paper --budget 1e21 --threads 2 && err_has "--threads"
if run 0 fit "$example" --bootstrap 60 --seed 5 --threads 1 --json; then
  cp "$tmp/out" "$tmp/threads1.json"
  if run 0 fit "$example" --bootstrap 60 --seed 5 --threads 3 --json; then
    cmp -s "$tmp/threads1.json" "$tmp/out" || fail "--threads 1 and --threads 3 differ (--json)"
  fi
  run 0 fit "$example" --bootstrap 60 --seed 5 --json &&
    { cmp -s "$tmp/threads1.json" "$tmp/out" || fail "--threads default and 1 differ (--json)"; }
fi
run 2 fit "$example" --optimum best && err_has "--optimum" "best"
run 2 fit "$example" --optimum smooth:5 && err_has "--optimum"
run 2 fit "$example" --column size=params && err_has "--column" "size"
run 2 fit "$example" --column loss && err_has "--column"
run 2 fit "$example" --exclude 2-1 && err_has "--exclude"
run 2 fit "$example" --exclude a,b && err_has "--exclude"
run 2 fit "$example" --exclude 0 && err_has "--exclude"
# Many long ranges in a short flag are refused before they are expanded (the fuzz campaign's find).
many_ranges=$(printf '1-999999,%.0s' $(seq 300))
run 2 fit "$example" --exclude "$many_ranges" && err_has "--exclude" "more than 1000000 rows"
run 2 fit "$example" --exclude 99999 --bootstrap 0 && err_has "--exclude" "99999"
run 2 fit "$example" extra.csv && err_has "extra.csv"
run 2 fit "$example" --budget -1e22 && err_has "--budget"

# --- fit: CSV problems are located by line and column ------------------------------------------
run_stdin 2 'params,tokens,loss\n1e8,2e9,0.61\n2e8,2e9,abc\n' fit - && err_has "line 3" "column 3"
run_stdin 2 '' fit - && err_has "stdin"
run_stdin 2 'params,tokens,loss\n1e8,2e9\n' fit - && err_has "line 2"
run_stdin 2 'params,tokens,loss\n1e8,2e9,0.6\n2e8,-4e9,0.58\n' fit - && err_has "line 3"

# --- fit: good input ---------------------------------------------------------------------------
if run 0 fit "$example" --bootstrap 20 --seed 3 --budget 1e22 --json; then
  # The example is generated from the paper's laws: exponents land near the published ones.
  json_check 'all(k in j["loss_law"] for k in ("E","A","alpha","B","beta","objective","ci95"))' \
    'all(len(j["loss_law"]["ci95"][k]) == 2 for k in ("E","A","alpha","B","beta"))' \
    'all(k in j[law] for law in ("lr_law","batch_law") for k in ("coef","exp_N","exp_T","ci95"))' \
    'len(j["cells"]) > 0 and all(k in c for c in j["cells"] for k in ("params","tokens","lr","batch_tokens","loss","on_edge"))' \
    'all(k in j["plan"] for k in ("flops","params","tokens","lr","batch_tokens","loss"))' \
    'j["plan"]["flops"] == 1e22 and j["excluded"] == [] and isinstance(j["warnings"], list)' \
    'abs(j["loss_law"]["alpha"] - 0.3188) < 0.1 and abs(j["loss_law"]["beta"] - 0.2917) < 0.1'
fi
run 0 fit "$example" --bootstrap 0 && grep -q "Plan at" "$tmp/out" &&
  fail "a plan was printed without --budget"
run 0 fit "$example" --bootstrap 0 --exclude 1,3-4 --json && json_check 'j["excluded"] == [1, 3, 4]'
run 0 fit "$example" --bootstrap 0 --budget 1e21 && out_has "Plan at 1e+21 FLOPs"
# stdin gives the same fit as the file.
run 0 fit "$example" --bootstrap 0 --json && cp "$tmp/out" "$tmp/file.json"
checks=$((checks + 1))
"$bin" fit - --bootstrap 0 --json <"$example" >"$tmp/out" 2>"$tmp/err" || fail "fit - failed"
cmp -s "$tmp/out" "$tmp/file.json" || fail "fit from stdin differs from fit from the file"

# --- fit: real public data ---------------------------------------------------------------------
if [[ -d "$external" ]]; then
  run 0 fit "$external/chinchilla_epoch_svg_extracted.csv" --bootstrap 0 --json &&
    json_check '"lr_law" not in j and j["loss_law"]["E"] is not None'
  run 0 fit "$external/steplaw_dense_lr_bs_loss.csv" --column "loss=smooth loss" \
    --tokens-per-sample 2048 --bootstrap 0 --json &&
    json_check 'j["input"]["columns"]["loss"] == "smooth loss" and "lr_law" in j'
  # One tokens per sample (issue 26): --tokens-per-sample alone reads Step Law's bs as samples;
  # --batch-column tokens reads it as tokens, and the reader says it looks like samples.
  run 0 fit "$external/steplaw_dense_lr_bs_loss.csv" --tokens-per-sample 2048 --bootstrap 0 &&
    { ! grep -qF "looks like a count of samples" "$tmp/err" || fail "bs read as tokens"; }
  run 0 fit "$external/steplaw_dense_lr_bs_loss.csv" --tokens-per-sample 2048 \
    --batch-column tokens --bootstrap 0 && err_has "looks like a count of samples"
  run 2 fit "$external/steplaw_dense_lr_bs_loss.csv" --batch-column sequences &&
    err_has "--batch-column" "tokens, samples"
  # An ambiguous guess is resolved (the reader's documented preference) and said, not refused.
  run 0 fit "$external/steplaw_dense_lr_bs_loss.csv" --tokens-per-sample 2048 --bootstrap 0 &&
    err_has "smooth loss" && out_has "Fit report"
else
  echo "note: $external missing, real-data checks skipped"
fi

# --- trust report and partial results (issue 13, issue 10) -------------------------------------
edge="$external/../edge"
if [[ -d "$edge" ]]; then
  # Too few points for the loss law: a partial result, exit 0 with its JSON (not "no data", 1).
  run 0 fit "$edge/one_n.csv" --bootstrap 0 --json &&
    json_check 'j["status"] == "partial" and j["termination"] == "too few points"' \
      'len(j["cells"]) == 5 and j["loss_law"]["usable"] is False' \
      'any(w["code"] == "loss_law_not_fitted" and w["severity"] in ("warning", "error") for w in j["warnings"])'
  run 0 fit "$edge/one_n.csv" --bootstrap 0 && out_has "too few points" "partial" && err_has "partial"
  run 0 fit "$edge/one_n.csv" --bootstrap 0 --budget 1e22 --json &&
    json_check 'j["plan"]["status"] == "failed" and "not planned" in j["plan"]["message"]'
  # Constant loss: degenerate law, no plan, no interval, no "N = 1".
  run 0 fit "$edge/const.csv" --bootstrap 50 --budget 1e22 --json &&
    json_check 'j["status"] == "partial"' \
      'any(w["code"] == "loss_law_degenerate" and w["severity"] == "error" for w in j["warnings"])' \
      'j["plan"]["ok"] is False and j["plan"]["ci95"]["params"] == [None, None]' \
      'j["plan"]["smallest"]["params"] is None'
  # 2 of 20 resamples: no intervals, the count and the reason.
  run 0 fit "$edge/units.csv" --bootstrap 20 --json &&
    json_check 'j["loss_law"]["ci95"]["E"] == [None, None] and j["bootstrap_attempted"] == 20' \
      '"of 20" in j["intervals_withheld"] and j["status"] == "partial"'
  run 0 fit "$edge/units.csv" --bootstrap 20 && grep -q "95% \[" "$tmp/out" &&
    fail "units.csv: a 95% interval was printed from 2 of 20 resamples"
  # Every optimum on one corner: no lr law, R^2 not 1.
  run 0 fit "$edge/alledge.csv" --bootstrap 0 --json &&
    json_check 'j["lr_law"]["usable"] is False and j["lr_law"]["coef"] is None and j["lr_law"]["r2"] is None' \
      'any(w["code"] == "lr_law_degenerate" for w in j["warnings"]) and j["status"] == "partial"'
  run 0 fit "$edge/twolr.csv" --optimum smooth --bootstrap 0 --json &&
    json_check 'all(c["smooth"] == "too few values" and not c["not_convex"] for c in j["cells"])'
else
  echo "note: $edge missing, edge-case checks skipped"
fi
# Defect 1: outside the swept range, with its direction, is not "not convex".
run 0 fit "$example" --optimum smooth --bootstrap 0 --json &&
  json_check 'sum(c["outside_range"] for c in j["cells"]) == 2 and not any(c["not_convex"] for c in j["cells"])' \
    'all(c["batch_edge"] == -1 for c in j["cells"] if c["outside_range"])' \
    'j["status"] == "ok" and j["termination"] == "success" and j["loss_law"]["converged"]' \
    'any(w["code"] == "cell_outside_range" and "below" in w["message"] for w in j["warnings"])'
run 0 fit "$example" --bootstrap 0 && out_has "batch_opt (tokens)" "points held out"
# Defect 2: a NaN optimum never "agrees".
run 2 plan --preset paper --budget 1 && out_has "nothing to compare" && grep -q "agree" "$tmp/out" &&
  fail "plan at 1 FLOP says the optima agree"
# Defect 6-8: refusals, extrapolation, no negative saving.
run 2 plan --preset paper --budget 7 --json &&
  json_check 'j["plan"]["status"] == "failed" and j["plan"]["termination"] == "refused"' \
    '{"tokens_below_sample", "batch_below_sample"} <= {w["code"] for w in j["plan"]["warnings"]}'
run 0 plan --preset paper --budget 1e35 --json &&
  json_check 'j["plan"]["extrapolation"]["params_factor"] > 4 and any(w["code"] == "params_extrapolation" for w in j["plan"]["warnings"])' \
    'abs(j["plan"]["extrapolation"]["params_factor"] * 0.26e9 / j["plan"]["params"] - 1) < 1e-9'
run 0 plan --preset paper --budget 5.85e20 --json &&
  json_check 'j["plan"]["extrapolation"]["params_factor"] < 4 and j["plan"]["status"] == "ok"'
run 2 plan --preset paper --budget 1e22 --tokens-per-video 1e300 --videos 1e9 && err_has "--tokens-per-video"
run 2 plan --preset paper --budget 1e22 --sampling-steps 1e9 && err_has "--sampling-steps"
run 2 plan --preset paper --budget 1e22 --text-tokens 1e12 && err_has "--text-tokens"
run 0 plan --preset paper --budget 1e22 --videos 1e30 --json &&
  json_check 'j["plan"]["status"] == "partial" and "total_cost_out_of_range" in {w["code"] for w in j["plan"]["warnings"]}' \
    'j["plan"]["total_cost_flops"] is None'
run 0 plan --preset paper --budget 1e22 --videos 1 && grep -q -- "-0.0%" "$tmp/out" &&
  fail "--videos 1 reports a negative saving"
# Defect 10: the LLM presets print no DiT shape, no inference per video, no samples.
for llm in chinchilla epoch; do
  run 0 plan --preset "$llm" --budget 1e22 &&
    { grep -qE "inference per video|shape|samples|tokens per sample" "$tmp/out" &&
      fail "$llm prints DiT quantities"; }
done
run 0 plan --preset deepseek --budget 1e22 --params 7B &&
  { grep -qE "inference per video|shape|samples" "$tmp/out" && fail "deepseek prints DiT quantities"; }
# Plans carry status, termination, warnings and extrapolation.
run 0 plan --preset paper --budget 1e22 --json &&
  json_check 'all(k in j["plan"] for k in ("status", "termination", "warnings", "extrapolation"))' \
    'isinstance(j["warnings"], list)'

# Issue 25: identifiability. A sweep at T = 20 N exactly (7 sizes, a 3 x 3 lr x batch grid per
# size around optima lr ~ N^-1/3, batch ~ N^2/3): the laws in N alone along that ratio, every
# warning once on stderr as "warning: [code] message", JSON exponents of T null.
python3 - "$tmp/collinear.csv" <<'PY'
import math, sys
with open(sys.argv[1], "w") as f:
    f.write("params,tokens,lr,batch_size,loss\n")
    for k in range(7):
        n = 5e6 * (109 / 5) ** (k / 6)
        t = 20 * n
        lr0, b0 = 0.3 * n ** (-1 / 3), 2.0 * n ** (2 / 3)
        base = 1.7 + 400 * n ** -0.34 + 410 * t ** -0.28
        for i in (-1, 0, 1):
            for j in (-1, 0, 1):
                u, v = i * math.log(2), j * math.log(2)
                f.write("%r,%r,%r,%r,%r\n" % (n, t, lr0 * 2 ** i, b0 * 2 ** j,
                                               base * (1 + 0.01 * u * u + 0.004 * v * v)))
PY
run 0 fit "$tmp/collinear.csv" --budget 1e20 --bootstrap 0 --json &&
  json_check 'j["lr_law"]["variables"] == ["N"] and j["lr_law"]["exp_T"] is None' \
    'j["batch_law"]["variables"] == ["N"] and j["batch_law"]["ci95"]["exp_T"] is None' \
    'abs(j["lr_law"]["exp_N"] + 1 / 3) < 1e-9 and abs(j["batch_law"]["exp_N"] - 2 / 3) < 1e-9' \
    'j["status"] == "partial" and any(w["code"] == "n_t_collinear" for w in j["warnings"])' \
    'j["plan"]["status"] == "partial"' \
    'any(w["code"] == "plan_not_identified" and w["severity"] == "error" for w in j["plan"]["warnings"])' \
    'any(w["code"] == "intervals_not_computed" and w["severity"] == "info" for w in j["plan"]["warnings"])' &&
  err_has "warning: [n_t_collinear]" "T/N = 20" "plan: plan not pinned down" &&
  { [[ $(grep -c "\[n_t_collinear\]" "$tmp/err") -eq 1 ]] || fail "n_t_collinear not once on stderr"; } &&
  { grep -q "intervals_not_computed" "$tmp/err" && fail "an info note reached stderr"; }
run 0 fit "$tmp/collinear.csv" --bootstrap 0 &&
  out_has "lr_opt = " "fitted in N alone along the sweep's T/N line" &&
  { grep -q "T^0" "$tmp/out" && fail "a law in N alone prints T^0"; }
# An ok result's warnings reach stderr too (the example sweep has cells on the edge of the sweep).
run 0 fit "$example" --bootstrap 0 --json &&
  json_check '[w["code"] for w in j["warnings"]] != []' &&
  for code in $(python3 -c 'import json,sys; print(" ".join(sorted({w["code"] for w in json.load(open(sys.argv[1]))["warnings"] if w["severity"] != "info"})))' "$tmp/out"); do
    [[ $(grep -c "warning: \[$code\]" "$tmp/err") -eq 1 ]] || fail "warning $code not once on stderr"
  done
# Too few points (7 for 5 parameters): the plan is partial and says why.
run 0 fit "$external/../edge/units.csv" --budget 1e22 --bootstrap 0 --json &&
  json_check 'j["plan"]["status"] == "partial"' \
    'any(w["code"] == "plan_not_identified" and "only 7 points" in w["message"] for w in j["plan"]["warnings"])'
# --help lists the roles --column takes.
run 0 --help && {
  help_text="$(tr -s ' \n' ' ' <"$tmp/out")"
  for s in "ROLE is one of: params, tokens, flops, lr, batch, loss" \
    "The batch column counts samples only when this flag is given"; do
    [[ "$help_text" == *"$s"* ]] || fail "--help lacks '$s'"
  done
}
# A forced size keeps the whole shape of that size: DiT-XL/2's 1152 x 28.
run 0 plan --preset paper --budget 1e21 --params 594542592 --width-per-depth 41.142857142857142 --json &&
  json_check 'j["plan"]["shape"]["width"] == 1152 and j["plan"]["shape"]["depth"] == 28' \
    'j["plan"]["ideal"]["shape"]["depth"] == 28'
# Issue 28: trackers' exports with no column flags; curves with --checkpoints; unfinished runs.
printf 'run_id,status,metrics.val_loss,metrics.lr,params.n_params,params.tokens\na,FINISHED,2.5,1e-6,1e8,2e9\nb,FAILED,,,2e8,2e9\nc,FINISHED,2.4,1e-6,2e8,4e9\nd,FINISHED,2.3,1e-6,4e8,4e9\n' > "$tmp/mlflow.csv"
run 0 fit "$tmp/mlflow.csv" --bootstrap 0 --json &&
  json_check 'j["input"]["runs"] == 3 and j["input"]["unfinished"][0]["line"] == 3' \
    '"failed" in j["input"]["unfinished"][0]["run"] and j["input"]["columns"]["params"] == "params.n_params"'
run 2 fit "$tmp/mlflow.csv" --keep-unfinished && err_has "line 3, column 3" "metrics.val_loss"
run 2 fit "$tmp/mlflow.csv" --checkpoints sometimes && err_has "--checkpoints" "final, all"
printf 'run_id,tokens,params,loss\na,1e9,1e8,3.0\na,2e9,1e8,2.9\nb,1e9,2e8,2.9\nb,2e9,2e8,2.8\nc,1e9,4e8,2.8\nc,2e9,4e8,2.7\n' > "$tmp/curves.csv"
run 0 fit "$tmp/curves.csv" --bootstrap 0 --json &&
  json_check 'j["input"]["curves"] == 3 and j["input"]["runs"] == 3'
run 0 fit "$tmp/curves.csv" --checkpoints all --bootstrap 0 --json &&
  json_check 'j["input"]["curves"] == 3 and j["input"]["runs"] == 6'
printf 'run_id,tokens,params,loss\na,2e9,1e8,3.0\na,1e9,1e8,2.9\n' > "$tmp/back.csv"
run 2 fit "$tmp/back.csv" && err_has "line 3, column 2" "goes back before"
printf 'Step,r - val/loss,r - val/loss__MIN,r - val/loss__MAX\n1,2,2,2\n' > "$tmp/wide.csv"
run 2 fit "$tmp/wide.csv" && err_has "Export as CSV"

# --- open: what the page shares (a link, a file holding one, stdin, a state file) ---------------
fixtures="$root/tests/core/fixtures"
fragment="$(tr -d ' \n' <"$fixtures/state_v3.fragment.txt")"
run 0 open "$fixtures/state_v3.fragment.txt" --json &&
  json_check 'j["group_by"] == "family" and [g["name"] for g in j["groups"]] == ["a", "b", "c"]' \
    'j["headline_group"] == 1 and j["status"] == "partial" and "design" in j'
run 0 open "https://example.org/scalecalc/#$fragment" &&
  out_has "Opened fixture_v3.csv" "Groups by family" "=== headline: group a ===" &&
  err_has "warning: [loss_law_not_fitted]"
run 0 open "#$fragment" --threads 2 --json && json_check 'len(j["groups"]) == 3'
run_stdin 0 "https://example.org/#${fragment:0:40}\n  ${fragment:40}\n" open - --json &&
  json_check 'len(j["groups"]) == 3'  # a link broken across lines by a mail program
run 0 open "$fixtures/state_v3.json" --json && json_check 'j["group_by"] == "family"'
# The example as a state file with 40 resamples: the pipeline's fit is the fit command's.
python3 - "$fixtures/state_v3.json" "$example" >"$tmp/example_state.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
state["csv_text"] = open(sys.argv[2]).read()
state["data_name"] = "example_sweep.csv"
state["reader"]["group_column"] = ""
state["fit"]["bootstrap_samples"] = 40
json.dump(state, sys.stdout)
PY
run 0 fit "$example" --optimum argmin --bootstrap 40 --json && cp "$tmp/out" "$tmp/example_fit.json"
run 0 open "$tmp/example_state.json" --json &&
  json_check "j['loss_law']['alpha'] == __import__('json').load(open('$tmp/example_fit.json'))['loss_law']['alpha']" \
    "j['loss_law']['ci95'] == __import__('json').load(open('$tmp/example_fit.json'))['loss_law']['ci95']" \
    'j["bootstrap_samples"] > 0 and "groups" not in j and j["headline_group"] == 0'
# Bad input: each refused with exit 2 and a sentence that says what is wrong.
run 2 open && err_has "open needs a share link"
run 2 open "$tmp/missing.txt" && err_has "cannot open '$tmp/missing.txt'"
: >"$tmp/empty.txt"
run 2 open "$tmp/empty.txt" && err_has "the link is empty"
echo "hello" >"$tmp/hello.txt"
run 2 open "$tmp/hello.txt" && err_has "not a scalecalc link"
run 2 open "#s9.AAAA" && err_has "encoding ('s9')" "newer scalecalc"
run 2 open "#s1.ab*cde" && err_has "character \"*\" at position 3"
run 2 open "#${fragment:0:60}" && err_has "the link is"
flipped="${fragment:0:50}$([[ "${fragment:50:1}" == A ]] && echo B || echo A)${fragment:51}"
run 2 open "#$flipped" && err_has "this link could not be opened" "damaged"
head -c 1200000 /dev/zero | tr '\0' A | sed 's/^/s1./' >"$tmp/long.txt"
run 2 open "$tmp/long.txt" && err_has "the link is too long"
printf '{"format": "scalecalc-state", "version": 99}' >"$tmp/v99.json"
run 2 open "$tmp/v99.json" && err_has "this state file could not be opened"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["fit"]["bootstrap_samples"]=-5; json.dump(s, sys.stdout)' \
  "$fixtures/state_v3.json" >"$tmp/negative.json"
run 2 open "$tmp/negative.json" && err_has "this state file could not be opened" "bootstrap"
run 2 open "$fixtures/state_v3.json" --budget 1e22 && err_has "only --json and --threads"
run 2 open "$fixtures/state_v3.json" "$fixtures/state_v3.json" && err_has "unexpected argument"

check_json_all || failures=$((failures + 1))
echo "$checks runs ($json_count with JSON checks), $failures failures"
[[ $failures -eq 0 ]]
