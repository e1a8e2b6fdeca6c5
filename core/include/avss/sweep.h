// Retention sweeps: selection metrics × numbers of removed blocks × benchmark tasks. Each metric's
// plan at each count names a set of blocks; every distinct (task, set) is one evaluation cell,
// scored by the Evaluator and kept in a cell store next to the analysis's statistics, so a sweep
// resumes where it stopped and never scores a cell twice. Formulas and files: docs/sweep.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/cancel.h"
#include "avss/eval_result.h"
#include "avss/eval_task.h"
#include "avss/evaluator.h"
#include "avss/measured_importance.h"
#include "avss/model.h"
#include "avss/progress.h"

namespace avss {

// 0, 10, 20, 25, 30, 40 and 50 % of the layers (rounded down, repeats dropped), at most the blocks
// the protection leaves removable.
std::vector<int> defaultSweepCounts(int layers, bool protectFirst = true, bool protectLast = true);
// Every AVSS preset, bi, angular, reverse and random: the metrics a sweep compares by default.
std::vector<std::string> defaultSweepMetrics();

struct SweepPlanOptions {
    std::vector<std::string> metrics;          // empty: defaultSweepMetrics() that the statistics can score
    std::vector<int> counts;                   // blocks removed; empty: defaultSweepCounts()
    std::vector<std::uint64_t> randomSeeds = {1, 2, 3};  // one line per seed for "random"
    bool protectFirst = true, protectLast = true;
};

// One line of the plots: a metric (one seed of random) and the blocks its plan removes at each count.
struct SweepLine {
    std::string metric;                        // a registry or measured id
    std::uint64_t seed = 0;                    // random only
    bool random = false;
    std::vector<std::optional<std::vector<int>>> removed;  // per count, sorted; nullopt: no plan (reason below)
    std::vector<std::string> unavailable;      // per count: why there is no plan ("" when there is)
    std::string label() const;                 // "bi", "random#2"
};

struct SweepPlan {
    int layers = 0;
    std::vector<int> counts;
    std::vector<SweepLine> lines;
    std::vector<std::string> notes;            // default metrics these statistics cannot score, and why
};

// Plans by count rules (PruningRule::Count) on scoreLayers() for one-shot metrics and on
// planMeasuredPruning() for measured ones (`measured` must hold every measured id asked for).
// Throws UsageError: unknown or repeated metric, a named metric the statistics cannot score, a
// count outside 0 … removable blocks, no seeds for random.
SweepPlan planSweep(const ActivationStats& stats, const std::vector<MeasuredImportance>& measured,
                    const SweepPlanOptions& options);

// One evaluated (task, removed set).
struct SweepCell {
    int task = 0;                              // index into SweepResult::tasks
    std::vector<int> removed;                  // sorted
    std::string key;                           // the cell's identity key (its file name in the store)
    std::vector<MetricSummary> metrics;        // metricNames(task) order
    std::int64_t items = 0;
    double seconds = 0;                        // the evaluation's time when it ran (also when read back)
    bool fromStore = false;                    // read from the cell store, not computed in this run
};

struct SweepTaskInfo {
    std::string task, title, format;
    std::filesystem::path file;
    std::vector<std::string> metrics;          // metricNames() of the task
    std::vector<bool> higherIsBetter;          // per metric
    std::int64_t items = 0;
    bool atChance = false;                     // the dense primary score cannot be told from chance (denseAtChance)
    bool prunedSkipped = false;                // so its pruned cells were not evaluated (SweepOptions::evaluateAtChance off)
};

struct SweepResult {
    SweepPlan plan;
    std::vector<SweepTaskInfo> tasks;
    std::vector<SweepCell> cells;              // distinct (task, set), in evaluation order
    // cellOf[task][line][count] → index into cells; −1: no plan, or not evaluated (cancelled or failed).
    std::vector<std::vector<std::vector<int>>> cellOf;
    std::vector<std::string> notes;            // store problems, cells not stored, ...
    int computed = 0, reused = 0;              // cells evaluated now / read from the store
    double seconds = 0;
    const SweepCell* cell(int task, int line, int count) const;  // nullptr when absent
};

struct SweepOptions {
    EvalOptions eval;                          // skipLayers is ignored (set per cell); records are not kept
    std::filesystem::path cellStore;           // folder of cells; empty: nothing read or written
    bool recompute = false;                    // evaluate even cells the store holds, then replace them
    bool evaluateAtChance = false;             // also score the pruned cells of a task whose dense model is at chance
};

// True when a dense score cannot be told from chance: its 95 % interval reaches the floor or lies
// beyond it (a point estimate when there is no interval). Its retention would measure noise, so a
// sweep scores only its dense cell unless asked otherwise.
bool denseAtChance(const MetricSummary& dense);

// Called on the working thread after every cell that becomes available (stored or computed), with
// the result so far: lets a UI draw curves progressively.
using SweepCellFn = std::function<void(const SweepResult& sofar, int cellIndex)>;

// Evaluates every distinct (task, set) of the plan: counts in ascending order, so curves fill from
// the left; the dense cell (nothing removed) first for each task. A cell the store cannot keep is a
// note, not an error. Progress: stage "sweep", unit "cells", plus the Evaluator's own per-item
// progress with stage "<task>, <n> removed". Throws UsageError (bad evaluation options, a plan for a
// model with another layer count), Cancelled (the cells finished so far are already stored).
SweepResult runSweep(const Model& model, const std::vector<TaskData>& tasks, const SweepPlan& plan,
                     const SweepOptions& options, const ProgressFn& progress = {}, const CancelToken* cancel = nullptr,
                     const SweepCellFn& onCell = {});

// The cell store of an analysis: the folder next to its statistics cache file ("<stem>.cells");
// empty (no store) when the analysis has no cache file.
std::filesystem::path sweepCellStore(const std::filesystem::path& statsCacheFile);

// ---- reading a sweep: retention, rows, files and plots (pure functions, no model) ----

// The metric compared across tasks and drawn by default: each task's first in metricNames() order
// (SciQ acc, TruthfulQA mc1, SST-2 acc, exact_match, WikiQA map, perplexity).
constexpr int kPrimaryMetric = 0;

struct Retention {
    double value = 0;                          // the pruned model's score
    double dense = 0, floor = 0;
    double retention = 0;                      // pruned / dense; perplexity: dense / pruned
    double normalised = 0;                     // (pruned − floor) / (dense − floor)
    double floorRetention = 0;                 // the retention a model at chance would have
};
// pruned / dense, or dense / pruned when lower is better (perplexity): 1 = as good as dense.
// NaN when the denominator is not positive.
double retentionRatio(double pruned, double dense, bool higherIsBetter);
// nullopt when the cell or the dense cell of the task is absent. `metric` indexes the task's metrics.
std::optional<Retention> sweepRetention(const SweepResult& result, int task, int metric, int line, int count);
// The retention used to compare across tasks: each task's primary metric (the first of metricNames),
// averaged over the tasks that were swept (not prunedSkipped); nullopt unless each of them has the
// cell, or when there is none.
std::optional<double> meanRetention(const SweepResult& result, int line, int count, bool normalised = false);

struct SweepRow {
    std::string task, metric, line, selection; // task "mean" for the mean rows; selection = the line's metric id
    std::uint64_t seed = 0;
    int removedCount = 0;
    double fraction = 0;                       // removedCount / layers
    std::vector<int> removed;
    double value = 0, ciLow = 0, ciHigh = 0, dense = 0, floor = 0;  // NaN on mean rows
    double retention = 0, normalised = 0;
    bool fromStore = false;
};
std::vector<SweepRow> sweepRows(const SweepResult& result);  // evaluated cells only, then the mean rows

std::string sweepJson(const SweepResult& result);            // docs/sweep.md, "Output files"
std::string sweepCsv(const SweepResult& result);             // one row per SweepRow
// Format from the extension (.json or .csv; UsageError otherwise), written atomically. IoError.
void writeSweep(const std::filesystem::path& file, const SweepResult& result);

// Retention against removed blocks, one line per metric, random seeds as a min–max band with their
// mean as a line, the 90 % line. task = −1: the mean over tasks.
struct SweepPlotOptions {
    int task = -1, metric = 0;
    bool normalised = false;
    int width = 900, height = 560;             // SVG user units = PNG pixels
};
std::string sweepPlotSvg(const SweepResult& result, const SweepPlotOptions& options);

struct SweepPlot {
    std::string name;                          // file stem: "retention-mean", "retention-sciq-acc", ...
    SweepPlotOptions options;
    std::string svg;
};
// The plots a sweep has: the mean over tasks (plain and chance-normalised), then every metric of
// each task whose pruned cells were evaluated.
std::vector<SweepPlot> sweepPlots(const SweepResult& result);
// Writes each plot as <folder>/<name>.svg (atomically; the folder is created). IoError.
void writeSweepPlots(const std::filesystem::path& folder, const std::vector<SweepPlot>& plots);

}  // namespace avss
