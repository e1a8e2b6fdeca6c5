#!/usr/bin/env bash
# Builds AVSS Explorer against the CUDA libtorch inside PyTorch's pip wheel, with NVIDIA's CUDA
# compiler wheels as the toolkit, into build-cuda/. Needs no GPU and no system CUDA: everything comes
# from PyPI (docs/engine.md "The CUDA build" lists what and how big). The wheels are installed with
# `pip install --target` into a per-user cache and reused by later runs and other clones; a machine
# without network uses a torch and a toolkit it already has (AVSS_TORCH_SITE, AVSS_CUDA_TOOLKIT).
#
# Usage: scripts/build-cuda.sh [--configure-only] [TARGET...]     (no target: everything)
# Environment:
#   AVSS_TORCH_SPEC       pip requirement for torch (default torch==2.15.0, CUDA 13.2)
#   AVSS_CUDA_PREFIX      where the wheels go (default ${XDG_CACHE_HOME:-~/.cache}/avss-explorer/cuda)
#   AVSS_CUDA_BUILD_DIR   build folder (default build-cuda)
#   AVSS_TORCH_SITE       a site-packages folder that already holds a CUDA torch (nothing is installed;
#                         for machines without network, such as the GPU machines lent here)
#   AVSS_CUDA_TOOLKIT     a CUDA toolkit with bin/nvcc to use instead of composing one from the wheels
#                         (default: /usr/local/cuda when it has nvcc and the wheels bring none)
set -euo pipefail
cd "$(dirname "$0")/.."

configure_only=0
if [[ "${1:-}" == "--configure-only" ]]; then configure_only=1; shift; fi
targets=()
(($#)) && targets=(--target "$@")
torch_spec="${AVSS_TORCH_SPEC:-torch==2.15.0}"
prefix="${AVSS_CUDA_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/avss-explorer/cuda}"
build="${AVSS_CUDA_BUILD_DIR:-build-cuda}"
site="${AVSS_TORCH_SITE:-$prefix/site}"
say() { echo "build-cuda: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

scripts/setup.sh --no-build  # the Debian packages (Qt, HDF5, ...) the build links besides torch

# 1. The torch wheel and the compiler wheels of the CUDA version it was built with, in one pip call
#    (a second --target install would skip the nvidia/ folder the first made). A stamp file records what
#    was installed, so a changed AVSS_TORCH_SPEC reinstalls and an unchanged one costs nothing.
if [[ -n "${AVSS_TORCH_SITE:-}" ]]; then
  [[ -f "$site/torch/version.py" ]] || fail "AVSS_TORCH_SITE=$site holds no torch (no torch/version.py)"
  cuda=$(sed -n "s/^cuda[^=]*= *'\([0-9.]*\)'.*/\1/p" "$site/torch/version.py")
  [[ -n "$cuda" ]] || fail "the torch in $site is a CPU-only build"
  say "using the torch in $site (CUDA $cuda); nothing installed"
else
  stamp="$site/.avss-installed"
  if [[ ! -f "$stamp" || "$(head -n1 "$stamp")" != "$torch_spec" ]]; then
    rm -rf "$site" "$prefix/wheel"
    mkdir -p "$site" "$prefix/wheel"
    say "downloading $torch_spec (about 1 GB) to read which CUDA it was built with"
    python3 -m pip download --quiet --disable-pip-version-check --no-cache-dir --no-deps -d "$prefix/wheel" "$torch_spec" \
      || fail "pip could not download $torch_spec (no network or no access to PyPI?)"
    wheel=$(ls "$prefix"/wheel/torch-*.whl)
    cuda=$(python3 -c "import sys, zipfile, re; t = zipfile.ZipFile(sys.argv[1]).read('torch/version.py').decode(); \
  m = re.search(r\"^cuda[^=]*= *'([0-9.]+)'\", t, re.M); print(m.group(1) if m else '')" "$wheel")
    [[ -n "$cuda" ]] || fail "$torch_spec is a CPU-only build (its torch/version.py names no CUDA version)"
    major=${cuda%%.*}
    if ((major >= 13)); then
      compiler=("nvidia-cuda-nvcc==$cuda.*" "nvidia-cuda-crt==$cuda.*" "nvidia-nvvm==$cuda.*")
    else
      compiler=("nvidia-cuda-nvcc-cu$major==$cuda.*")
    fi
    say "installing torch with its CUDA $cuda libraries and ${compiler[*]} into $site (a few GB; once per user)"
    python3 -m pip install --quiet --disable-pip-version-check --no-cache-dir --target "$site" "$wheel" "${compiler[@]}" \
      || fail "pip could not install $torch_spec with ${compiler[*]}"
    rm -rf "$prefix/wheel"
    printf '%s\n%s\n' "$torch_spec" "$cuda" >"$stamp"
  fi
  cuda=$(sed -n 2p "$stamp")
fi

# 2. The wheel's C++ ABI must be the one Debian's Qt and HDF5 were built with (the new, cxx11 one).
abi=$(PYTHONPATH="$site" python3 -c "import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))" 2>/dev/null) \
  || fail "python3 cannot import the torch wheel in $site"
[[ "$abi" == 1 ]] || fail "the torch in $site uses the old C++ ABI (_GLIBCXX_USE_CXX11_ABI=0); Debian's Qt 6 and HDF5 use the new one, so nothing that links them can link this libtorch. Use torch >= 2.7."

# 3. A toolkit folder laid out as CMake's CUDA support expects (bin/, include/, lib64/ with unversioned
#    .so names, nvvm/), made of links into the wheels, which spread it over nvidia/*/.
toolkit="${AVSS_CUDA_TOOLKIT:-$prefix/toolkit-$cuda}"
if [[ -z "${AVSS_CUDA_TOOLKIT:-}" && ! -e "$site/nvidia" && -x /usr/local/cuda/bin/nvcc ]]; then
  toolkit=/usr/local/cuda  # a machine's own toolkit, when the torch in use came without compiler wheels
fi
if [[ ! -x "$toolkit/bin/nvcc" ]]; then
  [[ -z "${AVSS_CUDA_TOOLKIT:-}" ]] || fail "AVSS_CUDA_TOOLKIT=$toolkit has no bin/nvcc"
  rm -rf "$toolkit"
  mkdir -p "$toolkit"/{bin,include,lib64,nvvm}
  ln -s lib64 "$toolkit/lib"
  while IFS= read -r dir; do
    kind=$(basename "$dir")
    [[ "$kind" == lib ]] && kind=lib64
    for entry in "$dir"/*; do
      name=$(basename "$entry")
      [[ -e "$toolkit/$kind/$name" ]] || ln -s "$entry" "$toolkit/$kind/$name"
      if [[ "$kind" == lib64 && "$name" == *.so.* && ! -e "$toolkit/lib64/${name%%.so.*}.so" ]]; then
        ln -s "$entry" "$toolkit/lib64/${name%%.so.*}.so"
      fi
    done
  done < <(find "$site/nvidia" -mindepth 2 -maxdepth 3 -type d \( -name bin -o -name include -o -name lib -o -name nvvm \) \
             -not -path '*/nvvm/*' | sort)
  [[ -x "$toolkit/bin/nvcc" ]] || fail "no nvcc in the compiler wheels under $site/nvidia"
fi

# 4. Configure and build. TORCH_CUDA_ARCH_LIST only shapes nvcc flags torch's CMake computes (the
#    project compiles no CUDA code; libtorch's kernels come prebuilt); naming it skips GPU detection.
source scripts/ccache-env.sh
export TORCH_CUDA_ARCH_LIST="8.0;9.0"
scripts/configure.sh "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$site/torch" -DTorch_DIR="$site/torch/share/cmake/Torch" \
  -DCaffe2_DIR="$site/torch/share/cmake/Caffe2" -DCUDA_TOOLKIT_ROOT_DIR="$toolkit" \
  -DCMAKE_CUDA_COMPILER="$toolkit/bin/nvcc" ${CMAKE_ARGS:-}
grep -qx "TORCH_LIBRARY:FILEPATH=$site/torch/lib/libtorch.so" "$build/CMakeCache.txt" \
  || fail "CMake found another libtorch than $site/torch (see $build/CMakeCache.txt, TORCH_LIBRARY)"
say "configured $build against $site/torch (CUDA $cuda)"
((configure_only)) && exit 0
cmake --build "$build" -j "$(nproc)" "${targets[@]}"
say "built $build: $(du -sh "$site" | cut -f1) of wheels in $site"
