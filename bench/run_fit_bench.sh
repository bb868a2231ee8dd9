#!/usr/bin/env bash
# run_fit_bench.sh: our loss-law fit (fit_bench) against Epoch AI's method (reference_epoch.py,
# scipy L-BFGS-B from 4,500 starts) on the Chinchilla points, side by side with the targets:
# objective no worse than the reference, speed-up >= 100x natively, 1,000 bootstrap refits < 2 s.
#
#   cmake --preset native && cmake --build --preset native --target fit_bench
#   bench/run_fit_bench.sh            # full reference (about half a minute of one core)
#   bench/run_fit_bench.sh --quick    # every 10th reference start, its time scaled to 4,500
#
# Environment: FIT_BENCH (native binary), FIT_BENCH_WASM (em++ build, run with node when present),
# PYTHON (default /usr/bin/python3, Debian's, which has numpy and scipy),
# SCALECALC_EXTERNAL_DATA_DIR (folder of chinchilla_epoch_svg_extracted.csv).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
native=${FIT_BENCH:-$root/build/native/bench/fit_bench}
wasm=${FIT_BENCH_WASM:-$root/build/wasm/bench/fit_bench.js}
python=${PYTHON:-/usr/bin/python3}
every=1
if [[ "${1:-}" == "--quick" ]]; then every=10; fi
if [[ ! -x "$native" ]]; then
  echo "run_fit_bench.sh: $native not found; build it first:" >&2
  echo "  cmake --preset native && cmake --build --preset native --target fit_bench" >&2
  exit 1
fi
data_args=()
if [[ -n "${SCALECALC_EXTERNAL_DATA_DIR:-}" ]]; then
  data_args=(--data "$SCALECALC_EXTERNAL_DATA_DIR/chinchilla_epoch_svg_extracted.csv")
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== fit_bench (native)"
"$native" "${data_args[@]}" | tee "$out/native.txt"
if [[ -f "$wasm" ]]; then
  echo "== fit_bench (wasm, node)"
  NODE_PATH=${NODE_PATH:-/usr/share/nodejs} node --no-experimental-fetch "$wasm" "${data_args[@]}" \
    | tee "$out/wasm.txt"
fi
echo "== reference_epoch.py"
"$python" "$root/bench/reference_epoch.py" "${data_args[@]}" --every "$every" | tee "$out/ref.txt"

"$python" - "$out" <<'PY'
import os, sys
out = sys.argv[1]
def results(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    values = {}
    for line in open(path):
        if line.startswith("RESULT "):
            _, key, value = line.split()
            values[key] = float(value)
    return values
ours, wasm, ref = results("native.txt"), results("wasm.txt"), results("ref.txt")
ref_seconds = ref["fit_seconds"] * 4500.0 / ref["starts"]  # CPU time of all 4,500 starts
scaled = " (scaled from %d starts)" % ref["starts"] if ref["starts"] < 4500 else ""
print()
print("%-24s %18s %18s %22s   %s" % ("", "ours (native)", "ours (wasm)" if wasm else "",
                                      "reference (scipy)", "ours / reference"))
for key in ("objective", "E", "A", "alpha", "B", "beta"):
    w = "%18.10g" % wasm[key] if wasm else "%18s" % ""
    print("%-24s %18.10g %s %22.10g   %.6f" % (key, ours[key], w, ref[key], ours[key] / ref[key]))
w = "%18.4g" % wasm["fit_seconds"] if wasm else "%18s" % ""
print("%-24s %18.4g %s %22.4g   speed-up %.0fx native%s" % (
    "fit time (s, CPU)", ours["fit_seconds"], w, ref_seconds, ref_seconds / ours["fit_seconds"],
    ", %.0fx wasm" % (ref_seconds / wasm["fit_seconds"]) if wasm else ""))
w = "%18.4g" % wasm["bootstrap_seconds"] if wasm else "%18s" % ""
print("%-24s %18.4g %s %22s" % ("%d bootstrap refits (s)" % ours["bootstrap_refits"],
                                 ours["bootstrap_seconds"], w, "-"))
print()
print("reference time%s" % scaled)
print("objective no worse than the reference: %s (ours %.12g, reference %.12g)" % (
    "yes" if ours["objective"] <= ref["objective"] * (1 + 1e-9) else "NO",
    ours["objective"], ref["objective"]))
print("objective of Epoch's published constants on the same points: %.12g" %
      ours["epoch_constants_objective"])
print("speed-up >= 100x natively: %s (%.0fx)" % (
    "yes" if ref_seconds / ours["fit_seconds"] >= 100 else "NO", ref_seconds / ours["fit_seconds"]))
print("1,000 bootstrap refits < 2 s natively on one core: %s (%.3g s)" % (
    "yes" if ours["bootstrap_seconds"] < 2 else "NO", ours["bootstrap_seconds"]))
PY
