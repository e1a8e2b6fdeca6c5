#!/usr/bin/env bash
# Re-runs the retention sweep behind docs/results/pruning.md on the sample model and the public data
# in ../shared/data, then writes the tables (tools/sweep_report.py). Resumable: cells already in
# the analysis cache's cell store are read back, so an interrupted run continues where it stopped.
# Usage: scripts/results-pruning.sh [--items N] [--out DIR] [--data DIR] [--metrics LIST]
#   --items N   items per task (default 500; the full files when they hold fewer)
#   --out DIR   where sweep.json, sweep.csv, plots/ and tables.md go (default build/results/pruning)
set -euo pipefail
cd "$(dirname "$0")/.."
items=500
out="${AVSS_BUILD_DIR:-build}/results/pruning"
data=../shared/data
metrics=""
while (($#)); do
  case "$1" in
    --items) items="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --metrics) metrics="$2"; shift 2 ;;
    *) echo "results-pruning: unknown option $1" >&2; exit 2 ;;
  esac
done
avss="${AVSS_BUILD_DIR:-build}/app/cli/avss"
[[ -x "$avss" ]] || { echo "results-pruning: $avss not built (run scripts/setup.sh)" >&2; exit 1; }
for f in wikitext2/valid.txt wikitext2/test.txt sciq/test.json truthfulqa/mc_task.json nq_open/dev.jsonl sst2/dev.tsv; do
  [[ -f "$data/$f" ]] || { echo "results-pruning: $data/$f is missing (--data DIR)" >&2; exit 1; }
done
# Every AVSS preset, BI, angular, reverse and 3 random seeds (the sweep's defaults), plus the measured
# baselines: leave-one-out, SLEB and iterative BI on the first 512 calibration tokens.
[[ -n "$metrics" ]] || metrics="avss-paper,avss-reference-code,avss-rel,avss-mlp,avss-mlp-abs,avss-mlp-hoyer,bi,angular,reverse,random,loo-ppl,sleb,iterative:bi"
mkdir -p "$out"
# Calibration: 32k tokens of the WikiText-2 validation split (the statistics and the measured
# metrics); evaluation: the test split (perplexity, 16k tokens in 16 windows of 1024) and the tasks.
# A task whose dense model is at chance (this model: NQ-open, TruthfulQA) gets its dense cell only.
"$avss" sweep default --data "$data/wikitext2/valid.txt" --max-tokens 32768 \
  --task "perplexity=$data/wikitext2/test.txt,sciq=$data/sciq/test.json,truthfulqa=$data/truthfulqa/mc_task.json,nq_open=$data/nq_open/dev.jsonl,sst2=$data/sst2/dev.tsv" \
  --limit "$items" --ppl-tokens 16384 --window 1024 --metrics "$metrics" --max-removed 15 \
  --out "$out/sweep.json,$out/sweep.csv" --plots "$out/plots" | tee "$out/sweep.txt"
python3 tools/sweep_report.py "$out/sweep.json" >"$out/tables.md"
echo "results-pruning: wrote $out/sweep.json, $out/sweep.csv, $out/plots/ and $out/tables.md"
