#!/usr/bin/env bash
# README command 2: set everything up, build every configuration and run every test:
#   native GoogleTest, CLI and JavaScript unit tests;
#   the same GoogleTest suite as wasm under node, and browser tests in headless Chromium;
#   the native suite under AddressSanitizer + UBSan;
#   a bounded libFuzzer run of every fuzz target (FUZZ_SECONDS each, default 30).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh native wasm
# Sanitizers: only what the native-sanitize tests run (the suite and the CLI).
cmake --preset native-sanitize >/dev/null
cmake --build --preset native-sanitize -j "$(nproc)" --target scalecalc_tests scalecalc_plot_tests scalecalc_app_tests scalecalc
ctest --preset native-sanitize
bash fuzz/run.sh "${FUZZ_SECONDS:-30}"
ctest --preset wasm
ctest --preset native
echo "[test] browser screenshots: $root/build/wasm/artifacts/"
