#!/usr/bin/env bash
# Builds one or more configurations: native, wasm, sanitize, fuzz (default: native wasm).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export NODE_PATH=/usr/share/nodejs  # emcc's JS optimizer needs acorn from Debian's node modules
jobs="${SCALECALC_JOBS:-$(nproc)}"
for preset in "${@:-native wasm}"; do
  for p in $preset; do
    echo "[build] $p"
    cmake --preset "$p" >/dev/null
    cmake --build --preset "$p" -j "$jobs"
  done
done
