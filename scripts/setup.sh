#!/usr/bin/env bash
# Installs the Debian 12 packages AVSS Explorer needs (apt-get when root, otherwise prints the
# command), then configures and builds everything in ./build (Release, Ninja). When CMake cannot
# find a package, it names the Debian package that provides it instead of printing CMake's log.
# Usage: scripts/setup.sh [--no-build]   Environment: AVSS_BUILD_DIR (default: build), CMAKE_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t PACKAGES < <(grep -v '^#' scripts/debian-packages.txt | awk 'NF {print $1}')

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
source scripts/ccache-env.sh
# shellcheck disable=SC2086
scripts/configure.sh "$build" -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-}
cmake --build "$build" -j "$(nproc)"
