#!/usr/bin/env bash
# Installs the Debian 12 packages AVSS Explorer needs (apt-get when root, otherwise prints the
# command), then configures and builds everything in ./build (Release, Ninja).
# Usage: scripts/setup.sh [--no-build]   Environment: AVSS_BUILD_DIR (default: build), CMAKE_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libtorch-dev libopenblas0-pthread          # libtorch 1.13 + a fast BLAS (reference BLAS is ~40x slower)
  qt6-base-dev qt6-charts-dev qt6-svg-dev     # desktop explorer
  libhdf5-dev nlohmann-json3-dev libpcre2-dev catch2
  python3 python3-pip                         # only pip, to fetch the sample model
  dpkg-dev file                               # CPack .deb with dependency detection
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "setup: missing Debian packages. Run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

[[ "${1:-}" == "--no-build" ]] && exit 0
build="${AVSS_BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
