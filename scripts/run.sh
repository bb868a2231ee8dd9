#!/usr/bin/env bash
# README command 1: set everything up, build the page, and serve it on localhost with the
# example dataset preloaded. PORT=8080 by default.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh wasm
exec node scripts/serve.mjs build/wasm/site "${PORT:-8080}"
