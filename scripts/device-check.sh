#!/usr/bin/env bash
# One short run that proves the GPU path on a machine with an NVIDIA GPU, or (`--device cpu`) the same
# steps on the CPU as a dry run anywhere. Builds or reuses the build (cuda: scripts/build-cuda.sh into
# build-cuda/, which needs PyPI the first time; cpu: the Debian build in ./build), fetches the sample
# model, then writes one report, docs/results/device-check-<device>.md, with:
#   - logits parity, device vs CPU fp32, on the tiny fixture model and the sample model (fp32, bf16);
#   - statistics parity: every metric on every layer of the sample model;
#   - throughput: forward, decoding (batch 1 and 8), statistics overhead, one contrastive training step;
#   - the explorer's background analysis (offscreen, device auto), its event-loop stall and a screenshot.
# Exits 1 on any parity breach or failed step (the report says which). Usage:
#   scripts/device-check.sh [--device cuda|cpu] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."

device=cuda
out=""
while (($#)); do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: scripts/device-check.sh [--device cuda|cpu] [--out FILE]" >&2; exit 2 ;;
  esac
done
[[ "$device" == cuda || "$device" == cpu ]] || { echo "device-check: --device must be cuda or cpu" >&2; exit 2; }
out="${out:-docs/results/device-check-$device.md}"
say() { echo "device-check: $*" >&2; }

if [[ "$device" == cuda ]]; then
  command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 \
    || { say "FAIL: no NVIDIA GPU visible (nvidia-smi -L failed); use --device cpu for the dry run"; exit 1; }
  build="${AVSS_CUDA_BUILD_DIR:-build-cuda}"
  scripts/build-cuda.sh device_check avss-explorer
  machine="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -n1)"
else
  build="${AVSS_BUILD_DIR:-build}"
  scripts/setup.sh --no-build
  source scripts/ccache-env.sh
  [[ -f "$build/build.ninja" ]] || scripts/configure.sh "$build" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$build" -j "$(nproc)" --target device_check avss-explorer
  machine="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(nproc) cores"
fi
scripts/fetch-model.sh >/dev/null

status=0
mkdir -p "$(dirname "$out")"
shot="${out%.md}.png"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
say "parity and throughput (device_check)"
timeout 600 "$build/bench/device_check" --device "$device" --tiny tests/data/tiny_llama.gguf --tokens 2048 \
  >"$tmp/check.md" 2>"$tmp/check.err" || status=1
say "explorer: background analysis, offscreen screenshot"
explorer_ok=1
QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$tmp/config" timeout 300 "$build/app/desktop/avss-explorer" \
  --model default --recompute --size 1600x1000 --screenshot "$shot" >"$tmp/explorer.out" 2>&1 || explorer_ok=0
((explorer_ok)) || status=1

{
  echo "# Device check: $device"
  echo
  echo "Written by \`scripts/device-check.sh --device $device\` on $(date -u +%Y-%m-%d) at commit"
  echo "\`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`, in $((SECONDS - start)) s after the build."
  # The libtorch CMake chose: the cache keeps it across reconfigures (configure.log does not).
  torch_lib=$(sed -n 's/^TORCH_LIBRARY:FILEPATH=//p' "$build/CMakeCache.txt" 2>/dev/null | head -n1)
  echo "Machine: $machine. Build: \`$build\` (libtorch: ${torch_lib:-unknown})."
  [[ "$device" == cpu ]] && echo "This is the dry run: the device is the CPU itself, so parity is exact by construction; it proves the steps, not a GPU."
  echo
  cat "$tmp/check.md"
  [[ -s "$tmp/check.err" ]] && { echo; echo '```'; tail -n 20 "$tmp/check.err"; echo '```'; }
  echo
  echo "## Explorer: background analysis (device auto)"
  echo
  echo '```'
  grep -E "event loop|wrote|error|failed" "$tmp/explorer.out" || tail -n 5 "$tmp/explorer.out"
  echo '```'
  ((explorer_ok)) && echo "Screenshot: \`$(basename "$shot")\`." || echo "**FAIL**: the explorer did not finish its analysis and screenshot."
  echo
  ((status == 0)) && echo "Verdict: **passed**." || echo "Verdict: **FAILED** (see above)."
} >"$out"
say "wrote $out"
((status == 0)) || say "FAIL: see $out"
exit $status
