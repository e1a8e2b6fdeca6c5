#!/usr/bin/env bash
# Compiles (syntax only) every libtorch-using source against another libtorch's headers, to check
# that the code sticks to APIs present in both Debian's 1.13 and upstream 2.x.
# Usage: scripts/check-libtorch.sh TORCH_PREFIX [STD]   TORCH_PREFIX holds include/ (a libtorch
# folder, or site-packages/torch of a pip wheel); STD defaults to c++20 (libtorch ≥ 2.10 needs it).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$1"
std="${2:-c++20}"
build="${AVSS_BUILD_DIR:-build}"
[[ -d "$build/core/generated" ]] || { echo "check-libtorch: configure $build first (scripts/setup.sh)" >&2; exit 2; }
# The torch translation units: the sources of the avss_core target in the configured build.
sources=$(grep -o 'core/CMakeFiles/avss_core\.dir/src/[^ :]*\.cpp\.o' "$build/build.ninja" | sort -u |
          sed 's|core/CMakeFiles/avss_core\.dir/||; s|\.o$||')
failed=0
for f in $sources; do
  [[ -n "$f" ]] || continue
  if g++ -std="$std" -fsyntax-only -D_GLIBCXX_USE_CXX11_ABI=1 -Icore/include -Icore/src -I"$build/core/generated" \
       -isystem "$prefix/include" -isystem "$prefix/include/torch/csrc/api/include" -I/usr/include/hdf5/serial "core/$f"; then
    echo "ok    core/$f"
  else
    echo "FAIL  core/$f"; failed=1
  fi
done
exit $failed
