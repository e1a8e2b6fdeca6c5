#!/usr/bin/env python3
"""Evaluation parity and speed: `avss eval` against tools/eval_reference.py (Hugging Face
transformers implementing lm-evaluation-harness's templates) on the same items, in one run.

For each task it runs both on the first --limit items of the same file, then prints, per metric,
both scores and their difference in points, how many items' decisions agree, the largest
per-choice log-likelihood difference, and the items/second of each with the ratio avss / reference.
Both use the machine's cores; run it on a quiet machine. Standard library only (the reference runs
in the peers venv, see bench/peers/run.sh).

    python3 bench/eval/compare.py --avss build/app/cli/avss --python ~/.cache/avss-explorer/peers-venv/bin/python \
        --limit 200 --tasks sciq,truthfulqa,sst2,nq_open [--markdown out.md]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

TASK_FILES = {  # task -> file under the shared data folder
    "sciq": "sciq/test.json",
    "truthfulqa": "truthfulqa/mc_task.json",
    "truthfulqa-csv": "truthfulqa/TruthfulQA.csv",
    "sst2": "sst2/dev.tsv",
    "nq_open": "nq_open/dev.jsonl",
}


def run(cmd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-3000:]}")
    return time.monotonic() - t0


def compare(task, args):
    name = "truthfulqa" if task == "truthfulqa-csv" else task
    data = os.path.join(args.data_dir, TASK_FILES[task])
    ours_json = f"/tmp/avss-eval-{task}.json"
    ref_json = f"/tmp/ref-eval-{task}.json"
    limit = args.limits.get(task, args.limit)
    ours_cmd = [args.avss, "eval", args.model, "--task", name, "--data", data, "--limit", str(limit),
                "--records", "--out", ours_json, "--bootstrap", "0"]
    if args.weights:
        ours_cmd += ["--weights", args.weights]
    ref_cmd = [args.python, os.path.join(ROOT, "tools", "eval_reference.py"), "--model", args.model, "--task", name,
               "--data", data, "--limit", str(limit), "--out", ref_json]
    if args.ref_threads:
        ref_cmd += ["--threads", str(args.ref_threads)]
    run(ours_cmd)
    run(ref_cmd)
    ours = json.load(open(ours_json))
    ref = json.load(open(ref_json))
    rows = []
    ours_metrics = {m["name"]: m["value"] for m in ours["metrics"]}
    for metric, ref_value in ref["metrics"].items():
        if metric not in ours_metrics:
            continue
        rows.append((metric, ours_metrics[metric], ref_value))
    max_ll = 0.0
    agree = 0
    n = min(len(ours.get("records", [])), len(ref.get("records", [])))
    for a, b in zip(ours.get("records", []), ref.get("records", [])):
        for sa, sb in zip(a.get("loglik", []), b.get("loglik", [])):
            for x, y in zip(sa, sb):
                max_ll = max(max_ll, abs(x - y))
        va, vb = a.get("values", {}), b.get("values", {})
        common = [k for k in va if k in vb]
        agree += 1 if common and all(abs(va[k] - vb[k]) < 1e-3 for k in common) else 0  # mc2 is continuous
    gens = [(a.get("generation"), b.get("generation")) for a, b in zip(ours.get("records", []), ref.get("records", []))
            if b.get("generation") is not None]
    same_gen = f"; text {sum(1 for a, b in gens if a == b)}/{len(gens)}" if gens else ""
    ours_rate = ours["items"] / ours["seconds"] if ours["seconds"] > 0 else 0.0
    ref_rate = ref.get("items_per_second", 0.0)
    return {"task": task, "items": ours["items"], "ref_items": ref["items"], "rows": rows, "max_ll": max_ll,
            "agree": agree, "compared": n, "same_gen": same_gen, "ours_rate": ours_rate, "ref_rate": ref_rate}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--avss", default=os.path.join(ROOT, "build", "app", "cli", "avss"))
    ap.add_argument("--python", default=os.path.expanduser("~/.cache/avss-explorer/peers-venv/bin/python"))
    ap.add_argument("--model", default=os.path.expanduser("~/.cache/avss-explorer/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--tasks", default="sciq,truthfulqa,sst2,nq_open",
                    help="comma-separated; a task may carry its own limit, e.g. truthfulqa:40")
    ap.add_argument("--ref-threads", type=int, default=0, help="reference threads (default: its own default)")
    ap.add_argument("--weights", default="", help="avss --weights (fp32 default)")
    ap.add_argument("--markdown", default="", help="also write the table to this file")
    args = ap.parse_args()
    args.limits = {}
    tasks = []
    for t in args.tasks.split(","):
        name, _, n = t.partition(":")
        tasks.append(name)
        if n:
            args.limits[name] = int(n)
    lines = ["| task | items | metric | avss | reference | Δ points | same item scores | max Δ loglik | avss items/s | reference items/s | ratio |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for task in tasks:
        r = compare(task, args)
        ratio = r["ours_rate"] / r["ref_rate"] if r["ref_rate"] > 0 else float("nan")
        for i, (metric, a, b) in enumerate(r["rows"]):
            speed = (f"{r['ours_rate']:.2f} | {r['ref_rate']:.2f} | ×{ratio:.2f}" if i == 0 else " | | ")
            lines.append(f"| {task} | {r['items']} | {metric} | {100 * a:.2f} | {100 * b:.2f} | {100 * (a - b):+.2f} | "
                         f"{r['agree']}/{r['compared']}{r['same_gen']} | {r['max_ll']:.2e} | {speed} |")
        print(lines[-1] if len(lines) > 2 else "", flush=True)
    text = "\n".join(lines)
    print()
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
