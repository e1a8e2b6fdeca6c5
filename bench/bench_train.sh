#!/usr/bin/env bash
# Contrastive training cost on the sample model (CPU): seconds per optimiser step and peak resident
# memory with k = 4 and k = 8 trained layers (the top k by EAVSS on the same pairs, as `--layers auto`
# picks them; the analysis is cached and not timed), in one run, next to the model's resident weights
# (this machine is shared: compare within one run).
#
#   bench/bench_train.sh [--avss PATH] [--model PATH|default] [--pairs FILE] [--steps N] [--pairs-per-step N]
#
# --pairs defaults to ../shared/data/halueval/qa_data.json (HaluEval QA), else the test fixture.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
avss="$root/build/app/cli/avss"
model=default
pairs="$root/../shared/data/halueval/qa_data.json"
[[ -f "$pairs" ]] || pairs="$root/tests/data/hallu/halueval.jsonl"
steps=10
per_step=8
while (($#)); do
  case "$1" in
    --avss) avss=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --pairs) pairs=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --pairs-per-step) per_step=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {  # run NAME K: one training run, its s/step and peak RSS
  local name=$1 k=$2
  /usr/bin/time -f "%M" -o "$tmp/$name.rss" "$avss" --quiet mitigate "$model" --train "$pairs" --train-limit 200 \
    --layers auto --top-k "$k" --steps "$steps" --pairs-per-step "$per_step" --log-every 1000000 >"$tmp/$name.txt" 2>&1
  awk '/^steps / {gsub(/[(]/, "", $6); print $6}' "$tmp/$name.txt"
}
s4=$(run k4 4)
s8=$(run k8 8)
weights=$("$avss" --quiet info "$model" | awk -F'  +' '/^weights/ {print $2}')
echo "model            $model"
echo "pairs            $pairs ($per_step pairs = $((2 * per_step)) sequences per step, $steps steps)"
echo "k = 4 layers     $s4 s/step, peak RSS $(( $(cat "$tmp/k4.rss") / 1024 )) MiB"
echo "k = 8 layers     $s8 s/step, peak RSS $(( $(cat "$tmp/k8.rss") / 1024 )) MiB"
echo "model weights    $weights"
awk -v a="$s4" -v b="$s8" 'BEGIN { printf "ratio k8 / k4    %.2f (step time)\n", b / a }'
