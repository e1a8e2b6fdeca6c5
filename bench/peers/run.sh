#!/usr/bin/env bash
# Peer benchmark: the engine (avss, bench_forward) against Hugging Face transformers (PyTorch) on
# the same work, in one run, on this machine; optionally against llama.cpp. Prints ratios engine / peer.
#
#   bench/peers/run.sh [--build DIR] [--model GGUF] [--text FILE] [--ppl-tokens N] [--windows LIST]
#                      [--rounds N] [--decode-tokens N] [--llama-cpp DIR] [--threads N] [--setup-only]
#
# --windows 512,2048,4096 --ppl-tokens 8192 measures perplexity at each window (default: 2048 only).
#
# First use creates a Python venv under ~/.cache/avss-explorer/peers-venv (override: PEERS_VENV) with
# torch (the CPU wheel from PyTorch's CPU index when that index is reachable, else the wheel pip's
# default index serves), transformers, gguf, numpy and accelerate (transformers needs it for GGUF).
# The product needs none of it. Results and what they mean: docs/benchmarks.md, "Against the peers".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

build="$root/build"
model="${AVSS_PEERS_MODEL:-$HOME/.cache/avss-explorer/models/SmolLM2-135M-Instruct.Q4_1.gguf}"
text=""
for t in "$root/../shared/data/wikitext2/test.txt" "/work/shared/data/wikitext2/test.txt"; do
  [[ -z "$text" && -f "$t" ]] && text="$t"
done
ppl_tokens=4096
windows=2048
rounds=2
decode_tokens=48
llama_cpp=""
threads=""
setup_only=0
while (($#)); do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --text) text=$2; shift 2 ;;
    --ppl-tokens) ppl_tokens=$2; shift 2 ;;
    --windows) windows=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --decode-tokens) decode_tokens=$2; shift 2 ;;
    --llama-cpp) llama_cpp=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --setup-only) setup_only=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

venv="${PEERS_VENV:-$HOME/.cache/avss-explorer/peers-venv}"
cpu_index="${PEERS_TORCH_INDEX-https://download.pytorch.org/whl/cpu}"  # empty: skip the CPU index
py=python3
command -v "$py" >/dev/null || { echo "run.sh: python3 is needed for the peer side" >&2; exit 1; }

setup_venv() {
  [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import torch, transformers, gguf, accelerate' 2>/dev/null && return 0
  if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
    echo "== creating $venv (first use; several minutes, about 6 GB with pip's default torch wheel)" >&2
    "$py" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip >&2
    local from="pip's default index"
    if [[ -n "$cpu_index" ]] && "$venv/bin/pip" install --quiet --timeout 15 --retries 0 --index-url "$cpu_index" torch >&2 2>/dev/null; then
      from="$cpu_index (CPU wheel)"
    else
      echo "   the PyTorch CPU index is not reachable here: torch comes from pip's default index" >&2
      "$venv/bin/pip" install --quiet torch >&2
    fi
    echo "torch from $from" >"$venv/.avss-peers-source"
  fi
  # accelerate: transformers refuses to load a GGUF file without it
  "$venv/bin/pip" install --quiet transformers gguf numpy accelerate >&2
}
setup_venv
if ((setup_only)); then
  "$venv/bin/pip" list 2>/dev/null | grep -iE '^(torch|transformers|gguf|numpy|tokenizers|safetensors|accelerate) '
  du -sh "$venv"
  exit 0
fi

avss="$build/app/cli/avss"
bench_forward="$build/bench/bench_forward"
for b in "$avss" "$bench_forward"; do
  [[ -x "$b" ]] || { echo "run.sh: $b is missing; build it: cmake --build $build --target avss bench_forward" >&2; exit 1; }
done
[[ -f "$model" ]] || { echo "run.sh: no model at $model (set --model or AVSS_PEERS_MODEL)" >&2; exit 1; }
[[ -z "$text" || -f "$text" ]] || { echo "run.sh: no text file $text" >&2; exit 1; }
[[ -n "$text" ]] || echo "run.sh: no WikiText-2 test text found; perplexity is skipped (pass --text FILE)" >&2

echo "== peer venv     $venv ($(du -sh "$venv" | cut -f1); $(cat "$venv/.avss-peers-source" 2>/dev/null || echo 'torch source not recorded'))"
echo "   packages      $("$venv/bin/pip" list 2>/dev/null | awk 'tolower($1) ~ /^(torch|transformers|gguf|numpy|tokenizers|safetensors|accelerate)$/ {printf "%s %s, ", $1, $2}' | sed 's/, $//')"
echo "== engine        $avss, $bench_forward ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "== command       bench/peers/run.sh --ppl-tokens $ppl_tokens --windows $windows --rounds $rounds --decode-tokens $decode_tokens${threads:+ --threads $threads}${llama_cpp:+ --llama-cpp $llama_cpp}"
args=(--avss "$avss" --bench-forward "$bench_forward" --model "$model" --ppl-tokens "$ppl_tokens" --windows "$windows" --rounds "$rounds"
      --decode-tokens "$decode_tokens")
[[ -n "$text" ]] && args+=(--text "$text")
[[ -n "$threads" ]] && args+=(--threads "$threads")
[[ -n "$llama_cpp" ]] && args+=(--llama-cpp "$llama_cpp")
# No hub look-ups (everything is local), no progress bars in the log.
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error TQDM_DISABLE=1 HF_HUB_DISABLE_PROGRESS_BARS=1
exec "$venv/bin/python" "$here/compare.py" "${args[@]}"
