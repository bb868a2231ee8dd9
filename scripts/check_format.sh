#!/usr/bin/env bash
# Fails when clang-format (with the committed .clang-format) would change any C++ file of the
# repository; lists the files. Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=$(git ls-files '*.cpp' '*.h' '*.cc' '*.hpp')
changes=$(echo "$files" | xargs clang-format --dry-run 2>&1 | grep 'warning:' || true)
if [ -n "$changes" ]; then
  echo "clang-format would change these files:"
  echo "$changes" | cut -d: -f1 | sort | uniq -c
  echo "run: git ls-files '*.cpp' '*.h' | xargs clang-format -i"
  exit 1
fi
echo "clang-format: $(echo "$files" | wc -l) files clean"
