#!/usr/bin/env bash
# Configures one build folder (Ninja) the way every script does: ccache as compiler launcher, with
# paths relative to the checkout so a fresh clone (CI) re-uses the objects of an earlier build, and a
# diagnosis naming the Debian package when CMake cannot find one. Usage: configure.sh BUILD_DIR [CMAKE ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: configure.sh BUILD_DIR [CMAKE ARGS...]}
shift
mkdir -p "$build"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
log="$build/configure.log"
if ! cmake -S . -B "$build" -G Ninja "${launcher[@]}" "$@" >"$log" 2>&1; then
  scripts/diagnose-cmake.sh "$log" >&2
  exit 1
fi
