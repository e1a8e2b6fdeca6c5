#!/usr/bin/env bash
# Re-runs the measurements behind docs/results/hallucination.md on the sample model and the public
# data in ../shared/data: the EAVSS analyses (HaluEval, length-matched HaluEval, TruthfulQA halves,
# the model's own SciQ and TruthfulQA answers, with their agreement), then contrastive training of the EAVSS-selected layers against the controls
# under one budget (same k, steps, data and seed): k lowest-EAVSS layers, k random layers (3 seeds),
# all layers, and the LM term alone. Side effect: KL(original ‖ tuned) per token on WikiText-2 test. Training uses TruthfulQA's even questions; every run is scored
# on the odd questions (pairs held out, never seen by the analysis that picks the layers).
# Section 3 then scores the benchmarks before and after (TruthfulQA MC1/MC2 without the training
# questions, NQ-open, SciQ) for the EAVSS arm and its layer controls under the same budget, and the
# WikiText-2 perplexity side effect from each arm's checkpoint.
# Usage: scripts/results-hallucination.sh [--out DIR] [--data DIR] [--steps N] [--lr X] [--held-out-limit N]
#          [--eval-limit N] [--only analyses|mitigation|benchmarks]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${AVSS_BUILD_DIR:-build}/results/hallucination"
data=../shared/data
steps=50
lr=5e-5
held=100
eval_limit=200
only=""
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --lr) lr="$2"; shift 2 ;;
    --held-out-limit) held="$2"; shift 2 ;;
    --eval-limit) eval_limit="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "results-hallucination: unknown option $1" >&2; exit 2 ;;
  esac
done
avss="${AVSS_BUILD_DIR:-build}/app/cli/avss"
[[ -x "$avss" ]] || { echo "results-hallucination: $avss not built (run scripts/setup.sh)" >&2; exit 1; }
halueval="$data/halueval/qa_data.json"
tqa="$data/truthfulqa/TruthfulQA.csv"
wiki="$data/wikitext2/test.txt"
nq="$data/nq_open/dev.jsonl"
sciq="$data/sciq/test.json"
for f in "$halueval" "$tqa" "$wiki" "$nq" "$sciq"; do [[ -f "$f" ]] || { echo "results-hallucination: $f is missing (--data DIR)" >&2; exit 1; }; done
mkdir -p "$out"

wanted() { [[ -z "$only" || "$only" == "$1" ]]; }

# 1. Analyses (cached in the per-user analysis cache: a second run reads them back).
if wanted analyses; then
"$avss" --quiet hallu default --pairs "$halueval" --limit 2000 --out "$out/hallu-halueval.json" >"$out/hallu-halueval.txt"
"$avss" --quiet hallu default --pairs "$halueval" --limit 2000 --length-match --against "$out/hallu-halueval.json" \
  --out "$out/hallu-halueval-lm.json" >"$out/hallu-halueval-lm.txt"
"$avss" --quiet hallu default --pairs "$tqa" --half even --against "$out/hallu-halueval.json" --out "$out/hallu-tqa-even.json" >"$out/hallu-tqa-even.txt"
"$avss" --quiet hallu default --pairs "$tqa" --half odd --against "$out/hallu-tqa-even.json" --out "$out/hallu-tqa-odd.json" >"$out/hallu-tqa-odd.txt"
# The model's own answers (qa-self): SciQ's chosen options and TruthfulQA's MC1 choices, right vs wrong.
"$avss" --quiet hallu default --pairs "$sciq" --format qa-self --task sciq --limit 1000 --against "$out/hallu-halueval.json" \
  --out "$out/hallu-self-sciq.json" >"$out/hallu-self-sciq.txt"
"$avss" --quiet hallu default --pairs "$tqa" --format qa-self --task truthfulqa --limit 400 --against "$out/hallu-halueval.json" \
  --out "$out/hallu-self-tqa.json" >"$out/hallu-self-tqa.txt"
# Agreement of every pair of sources: Kendall tau-b of the EAVSS values (as --against) and Jaccard of the top-k sets.
python3 - "$out" <<'PY'
import itertools, json, os, sys
out = sys.argv[1]
def load(name):
    a = json.load(open(os.path.join(out, name)))["analyses"][0]
    return [l["value"] for l in a["eavss"]["layers"]], set(a["selected"])
def tau_b(x, y):
    c = d = tx = ty = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        a, b = x[i] - x[j], y[i] - y[j]
        if a == 0 and b == 0: continue
        if a == 0: tx += 1
        elif b == 0: ty += 1
        elif a * b > 0: c += 1
        else: d += 1
    return (c - d) / ((c + d + tx) * (c + d + ty)) ** 0.5
names = ["hallu-halueval.json", "hallu-tqa-even.json", "hallu-self-sciq.json", "hallu-self-tqa.json"]
print("| this | against | Kendall tau of EAVSS | Jaccard of the selected sets |")
print("|---|---|---|---|")
for a, b in itertools.combinations(names, 2):
    (x, sx), (y, sy) = load(a), load(b)
    print(f"| {b} | {a} | {tau_b(x, y):.3f} | {len(sx & sy) / len(sx | sy):.2f} |")
PY
fi

# 2. Mitigation: one budget for every arm; the layers of auto/lowest come from the HaluEval analysis.
common=(--train "$tqa" --train-half even --held-out "$tqa" --held-out-half odd --held-out-limit "$held"
        --hallu-pairs "$halueval" --hallu-limit 2000 --top-k 7 --steps "$steps" --lr "$lr" --pairs-per-step 8 --seed 0 --log-every 10
        --kl-text "$wiki" --kl-tokens 4096)
run() {
  local name=$1; shift
  [[ -f "$out/$name/mitigation.json" ]] && return 0  # resumable: finished arms are kept
  "$avss" --quiet mitigate default "${common[@]}" "$@" --out "$out/$name" >"$out/$name.txt" 2>"$out/$name.log"
}
if wanted mitigation; then
run eavss --layers auto
run lowest --layers lowest
run random1 --layers random --layer-seed 1
run random2 --layers random --layer-seed 2
run random3 --layers random --layer-seed 3
run all --layers all
run lm-only --layers auto --contrastive-weight 0

# One table: held-out preference accuracy, margin and truthful NLL before and after, per arm.
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| arm | layers | pref. acc before | after | margin before | after | truthful NLL before | after | KL to original | s/step |")
print("|---|---|---|---|---|---|---|---|---|---|")
for arm in ["eavss", "lowest", "random1", "random2", "random3", "all", "lm-only"]:
    path = os.path.join(out, arm, "mitigation.json")
    if not os.path.exists(path):
        continue
    r = json.load(open(path))
    b, a = r["held_out_before"], r["held_out_after"]
    sec = sum(s["seconds"] for s in r["steps"]) / max(1, len(r["steps"]))
    print(f"| {arm} | {','.join(map(str, r['layers']))} | {b['accuracy']:.4f} | {a['accuracy']:.4f} | {b['mean_margin']:.4f} | "
          f"{a['mean_margin']:.4f} | {b['truthful_nll']:.4f} | {a['truthful_nll']:.4f} | {r['kl_to_original']['mean_kl']:.5f} | {sec:.2f} |")
PY
fi

# 3. Benchmarks before and after, same budget and layer choices as section 2. TruthfulQA's MC items
# whose question is a training question (the even half) are left out by avss mitigate itself.
if wanted benchmarks; then
budget=(--train "$tqa" --train-half even --hallu-pairs "$halueval" --hallu-limit 2000 --top-k 7 --steps "$steps" --lr "$lr"
        --pairs-per-step 8 --seed 0 --log-every 10)
bench=("${budget[@]}" --eval "truthfulqa=$tqa,sciq=$sciq,nq_open=$nq" --limit "$eval_limit")
bench_run() {
  local name=$1; shift
  [[ -f "$out/bench-$name/mitigation.json" ]] && return 0
  "$avss" --quiet mitigate default "${bench[@]}" "$@" --out "$out/bench-$name" >"$out/bench-$name.txt" 2>"$out/bench-$name.log"
}
bench_run eavss --layers auto
bench_run random1 --layers random --layer-seed 1
bench_run random2 --layers random --layer-seed 2
bench_run random3 --layers random --layer-seed 3
bench_run lowest --layers lowest
# The side effect on WikiText-2 perplexity (first 16,384 tokens): each arm's checkpoint, scored again without training.
for arm in eavss random1 random2 random3 lowest; do
  [[ -f "$out/bench-$arm/checkpoint.pt" && ! -f "$out/ppl-$arm/mitigation.json" ]] || continue
  case $arm in eavss) pick=(--layers auto) ;; lowest) pick=(--layers lowest) ;; *) pick=(--layers random --layer-seed "${arm#random}") ;; esac
  "$avss" --quiet mitigate default "${budget[@]}" --eval "perplexity=$wiki" --max-tokens 16384 "${pick[@]}" --resume --checkpoint "$out/bench-$arm/checkpoint.pt" \
    --out "$out/ppl-$arm" >"$out/ppl-$arm.txt" 2>"$out/ppl-$arm.log"
done
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| arm | task | metric | items | before [95% CI] | after [95% CI] | change | chance |")
print("|---|---|---|---|---|---|---|---|")
for arm in ["eavss", "random1", "random2", "random3", "lowest"]:
  for prefix in ["bench-", "ppl-"]:
    path = os.path.join(out, prefix + arm, "mitigation.json")
    if not os.path.exists(path):
        continue
    for e in json.load(open(path))["evaluations"]:
        b, a = e["before"], e["after"]
        for mb, ma in zip(b["metrics"], a["metrics"]):
            print(f"| {arm} | {b['task']} | {mb['name']} | {b['items']} | {mb['value']:.4f} [{mb['ci_low']:.3f}, {mb['ci_high']:.3f}] | "
                  f"{ma['value']:.4f} [{ma['ci_low']:.3f}, {ma['ci_high']:.3f}] | {ma['value'] - mb['value']:+.4f} | {mb['floor']:.3f} |")
PY
fi
