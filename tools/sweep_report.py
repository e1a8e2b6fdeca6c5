#!/usr/bin/env python3
"""Markdown tables from an `avss sweep --out sweep.json` document (docs/sweep.md), for
docs/results/pruning.md: per task the dense value and chance floor, the retention of each selection
line at each count, the mean over tasks, the random seeds' spread and the ranking at a chosen count.
Only reads the JSON; every number comes from the sweep. Usage: sweep_report.py sweep.json [--at 7]"""
import argparse
import json
import math


def fmt(v, digits=3):
    return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.{digits}f}"


def table(doc, rows, task, metric, field):
    lines = [l["label"] for l in doc["lines"]]
    counts = doc["counts"]
    by = {(r["line"], r["removed_count"]): r for r in rows if r["task"] == task and r["metric"] == metric}
    out = ["| line | " + " | ".join(str(c) for c in counts) + " |", "|---|" + "---:|" * len(counts)]
    for l in lines:
        out.append(f"| {l} | " + " | ".join(fmt(by[(l, c)][field]) if (l, c) in by else "–" for c in counts) + " |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sweep")
    ap.add_argument("--at", type=int, default=None, help="count for the ranking (default: 25 %% of the layers)")
    a = ap.parse_args()
    doc = json.load(open(a.sweep, encoding="utf-8"))
    rows = doc["rows"]
    at = a.at if a.at is not None else doc["layers"] // 4
    print(f"Sweep of {doc['layers']} blocks; counts {doc['counts']}; {doc['computed_cells']} cells evaluated in this run, "
          f"{doc['stored_cells_used']} read from the cell store.\n")
    for t in doc["tasks"]:
        for m in t["metrics"]:
            dense = next((r for r in rows if r["task"] == t["task"] and r["metric"] == m and r["removed_count"] == 0), None)
            print(f"### {t['title']}: {m} ({t['items'] or 'all'} items)\n")
            if dense:
                print(f"Dense {fmt(dense['value'], 4)} [{fmt(dense['ci_low'], 4)}, {fmt(dense['ci_high'], 4)}], chance {fmt(dense['floor'], 4)}.",
                      end=" " if t.get("pruned_skipped") else " Retention (pruned / dense; perplexity dense / pruned):\n\n")
            if t.get("pruned_skipped"):
                print("The dense model cannot be told from chance on this task, so its pruned cells were not evaluated.\n")
                continue
            print(table(doc, rows, t["task"], m, "retention") + "\n")
    skipped = [t["task"] for t in doc["tasks"] if t.get("pruned_skipped")]
    print("### Mean retention over tasks (each task's first metric" + (f"; not swept: {', '.join(skipped)}" if skipped else "") + ")\n")
    print(table(doc, rows, "mean", "retention", "retention") + "\n")
    print("### Mean chance-normalised retention over tasks\n")
    print(table(doc, rows, "mean", "retention", "normalised_retention") + "\n")
    mean_at = {r["line"]: r for r in rows if r["task"] == "mean" and r["removed_count"] == at}
    seeds = [v["retention"] for k, v in mean_at.items() if k.startswith("random#") and v["retention"] is not None]
    print(f"### Ranking at {at} removed blocks (mean retention)\n")
    print("| rank | line | mean retention | chance-normalised | blocks removed |\n|---:|---|---:|---:|---|")
    ranked = sorted(mean_at.values(), key=lambda r: -(r["retention"] if r["retention"] is not None else -1e9))
    for i, r in enumerate(ranked, 1):
        print(f"| {i} | {r['line']} | {fmt(r['retention'])} | {fmt(r['normalised_retention'])} | {' '.join(map(str, r['removed']))} |")
    if seeds:
        mu = sum(seeds) / len(seeds)
        print(f"\nRandom seeds at {at}: mean {fmt(mu)}, min {fmt(min(seeds))}, max {fmt(max(seeds))} ({len(seeds)} seeds).")


if __name__ == "__main__":
    main()
