#!/usr/bin/env bash
# Installs everything scalecalc needs, once: Debian packages, npm packages from the lockfile, and
# Dear ImGui's sources from Debian's source package into third_party/ (ignored, never committed).
# Idempotent: each step checks what is already there and does only what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { echo "[setup] $*"; }

# --- Debian packages -------------------------------------------------------------------------
packages=(
  cmake make g++ git ca-certificates dpkg-dev  # build tools; dpkg-dev unpacks source packages
  emscripten                                   # emcc 3.1.6: the WebAssembly build
  libeigen3-dev liblbfgspp-dev nlohmann-json3-dev libfast-float-dev googletest  # core libraries, tests
  zlib1g-dev                                   # the CLI reads share links (scalecalc open)
  clang libclang-rt-14-dev                     # libFuzzer and sanitizers
  clang-format                                 # the format check (tests/CMakeLists.txt)
  chromium                                     # headless browser tests
  fonts-inter                                  # the UI font
  fonttools                                    # pyftsubset: the font cut to the UI's glyphs
  esbuild                                      # minifies the site's JavaScript (cmake/site.cmake)
  python3-scipy                                # the benchmark's reference fit (Epoch AI's method)
)
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
apt_updated=0
apt_update() { [ "$apt_updated" = 1 ] || { apt-get update -qq; apt_updated=1; }; }
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Dear ImGui sources (Debian's source package) ----------------------------------------------
if [ ! -f third_party/imgui/imgui.cpp ]; then
  src_list=/etc/apt/sources.list.d/scalecalc-deb-src.sources
  if [ ! -f "$src_list" ]; then
    say "adding a deb-src entry for Debian's imgui source package"
    suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
    cat > "$src_list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt_updated=0
  fi
  apt_update
  say "fetching Dear ImGui sources with apt-get source imgui"
  rm -rf third_party/imgui third_party/.imgui-src
  mkdir -p third_party/.imgui-src
  (cd third_party/.imgui-src && apt-get source -qq imgui >/dev/null 2>&1)
  mv "$(find third_party/.imgui-src -maxdepth 1 -mindepth 1 -type d -name 'imgui-*' | head -n 1)" \
    third_party/imgui
  rm -rf third_party/.imgui-src
fi

# --- npm packages (pinned by package-lock.json) ------------------------------------------------
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "ready"
