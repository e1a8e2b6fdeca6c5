// Requests and results of the background jobs, as plain values tagged with a job id. Requests go to
// a worker by queued call; results come back by signal and are dropped when their id is stale.
#pragma once

#include <QMetaType>
#include <QString>
#include <QVector>
#include <memory>
#include <optional>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/corpus.h"
#include "avss/hallu_scores.h"
#include "avss/layer_scores.h"
#include "avss/logit_lens.h"
#include "avss/model.h"
#include "avss/obtain_stats.h"
#include "avss/prune_export.h"
#include "avss/score_report.h"
#include "avss/sweep.h"
#include "avss/what_if.h"

namespace avss::ui {

using JobId = quint64;

enum class JobKind { Load, Analysis, Measure, Export, Task, Sweep, Lens };

// One progress report, already throttled and with rate and ETA worked out on the worker.
struct JobProgress {
    JobId jobId = 0;
    QString stage;           // "loading", "analysing", "measuring", ...
    qint64 done = 0, total = 0;
    QString unit;            // "tokens", "tensors", ...
    double ratePerSecond = 0;
    double etaSeconds = -1;  // < 0: unknown
};

// Calibration data as the user chose it: "builtin" or a file path (text or JSONL).
struct DataSource {
    QString source = QStringLiteral("builtin");
    QString jsonField = QStringLiteral("text");
    bool isBuiltin() const { return source == QLatin1String("builtin"); }
    bool operator==(const DataSource& o) const { return source == o.source && jsonField == o.jsonField; }
    bool operator!=(const DataSource& o) const { return !(*this == o); }
};

struct LoadRequest {
    JobId jobId = 0;
    QString path;
    avss::Device device = avss::Device::Auto;
    avss::WeightStorage weights = avss::WeightStorage::Fp32;
};
struct LoadResult {
    JobId jobId = 0;
    QString path;
    std::shared_ptr<const avss::Model> model;
};

using AnalysisMode = avss::CachePolicy;  // the core's cache-or-collect policy (avss/obtain_stats.h)

struct AnalysisRequest {
    JobId jobId = 0;
    AnalysisMode mode = AnalysisMode::CacheFirst;
    std::shared_ptr<const avss::Model> model;
    DataSource data;
    avss::CollectOptions options;
    QString cacheDir;       // the core names the file in it (avss::analysisCachePath) unless cacheFile is set
    QString cacheFile;      // a user-chosen cache file (empty: automatic)
};

// Everything the views need, computed on the worker. `stats` is null when a CacheOnly lookup missed.
struct AnalysisResult {
    JobId jobId = 0;
    AnalysisMode mode = AnalysisMode::CacheFirst;
    std::shared_ptr<const avss::Corpus> corpus;
    std::shared_ptr<const avss::ActivationStats> stats;
    std::shared_ptr<const avss::ShardStats> merged;          // stats->merged()
    std::shared_ptr<const avss::ScoreReport> report;              // buildScoreReport(), as `avss score` makes it
    std::shared_ptr<const std::vector<avss::LayerScores>> scores;  // report->scores: registry order, metrics that apply
    QStringList unavailableMetrics;  // "<id>: why" for metrics these statistics cannot score (report->unavailable)
    bool fromCache = false;
    QString cacheFile;
    QString cacheNote;               // why the cache was not used, or why it was not written
};

// A tuned copy of the model analysed on the same calibration data and settings as the original (and,
// when there was one, on the same hallucination pairs), to show next to it.
struct TunedComparison {
    QString label;                                              // what was tuned, for the views
    std::shared_ptr<const avss::ActivationStats> originalStats;  // the original analysis it matches
    std::shared_ptr<const std::vector<avss::LayerScores>> scores;
    QString halluSource;                                        // the hallucination source it was analysed on ("" = none)
    std::shared_ptr<const avss::HalluScores> hallu;
};

// What Measure and Sweep score: held-out perplexity (no name) or a benchmark task file.
struct TaskChoice {
    QString name;        // one of avss::taskNames(); empty: held-out perplexity of the analysis text
    QString file;
    int limit = 200;     // the first N usable items: a few minutes per cell on the sample model
    bool isHeldOut() const { return name.isEmpty(); }
    avss::TaskSpec spec() const;
    bool operator==(const TaskChoice& o) const { return name == o.name && file == o.file && limit == o.limit; }
    bool operator!=(const TaskChoice& o) const { return !(*this == o); }
};

struct TaskRequest {
    JobId jobId = 0;
    TaskChoice choice;
};
struct TaskLoaded {
    JobId jobId = 0;
    TaskChoice choice;
    std::shared_ptr<const avss::TaskData> task;
};

struct MeasureRequest {
    JobId jobId = 0;
    std::shared_ptr<const avss::Model> model;
    std::shared_ptr<const avss::Corpus> corpus;
    std::shared_ptr<const avss::ActivationStats> analysis;  // its provenance says where the held-out text starts
    avss::WhatIfOptions options;                            // window, tokens, removed blocks, known dense NLL
    std::shared_ptr<const avss::TaskData> task;             // set: a benchmark task instead of held-out perplexity
    std::optional<avss::MetricSummary> denseScore;          // the task's dense primary metric, when measured before
};
struct MeasureResult {
    JobId jobId = 0;
    std::vector<int> removed;
    double denseNll = 0, prunedNll = 0;  // mean NLL per predicted token (nats)
    qint64 predictedTokens = 0;
    QString note;                        // e.g. "held-out text overlaps the calibration text"
    qint64 heldOutStart = 0;             // first held-out token in the corpus token stream
    // Benchmark task only: its primary metric (the first of metricNames) dense and pruned.
    QString task;
    std::optional<avss::MetricSummary> dense, pruned;
    qint64 items = 0;
    double densePerplexity() const;
    double prunedPerplexity() const;
    double retention() const { return densePerplexity() / prunedPerplexity(); }  // PPL_dense / PPL_pruned
};

struct ExportRequest {
    JobId jobId = 0;
    std::shared_ptr<const avss::Model> model;
    std::vector<int> removed;  // original 0-based block numbers
    QString outPath;
    avss::ExportFormat format = avss::ExportFormat::SameAsSource;  // or a folder from a GGUF, a GGUF from a folder
};
struct ExportDone {
    JobId jobId = 0;
    avss::ExportResult result;  // path, kept/removed blocks, size, self-check numbers
};

struct SweepRequest {
    JobId jobId = 0;
    std::shared_ptr<const avss::Model> model;
    std::shared_ptr<const avss::ActivationStats> stats;     // the analysis whose plans the sweep follows
    std::shared_ptr<const avss::TaskData> task;
    avss::SweepPlanOptions plan;                            // metrics, protection; counts and seeds: the core's defaults
    QString cellStore;                                      // avss::sweepCellStore(analysis cache file)
    bool evaluateAtChance = false;                          // avss::SweepOptions::evaluateAtChance
};
// The sweep so far (after each cell) or complete; shared, since every cell sends the whole result.
struct SweepUpdate {
    JobId jobId = 0;
    std::shared_ptr<const avss::SweepResult> result;
};

// The logit lens of a prompt (avss/logit_lens.h), with or without the plan's blocks.
struct LensRequest {
    JobId jobId = 0;
    std::shared_ptr<const avss::Model> model;
    QString text;
    avss::LensOptions options;  // top-k, skipped blocks
};
struct LensDone {
    JobId jobId = 0;
    std::shared_ptr<const avss::Model> model;  // the tokenizer that names the lens's tokens
    std::shared_ptr<const avss::LogitLens> lens;
    std::vector<int> skipped;
};

void registerMetaTypes();  // once per process, before the first queued result

}  // namespace avss::ui

Q_DECLARE_METATYPE(avss::ui::JobProgress)
Q_DECLARE_METATYPE(avss::ui::LoadResult)
Q_DECLARE_METATYPE(avss::ui::AnalysisResult)
Q_DECLARE_METATYPE(avss::ui::MeasureResult)
Q_DECLARE_METATYPE(avss::ui::ExportDone)
Q_DECLARE_METATYPE(avss::ui::TaskLoaded)
Q_DECLARE_METATYPE(avss::ui::SweepUpdate)
Q_DECLARE_METATYPE(avss::ui::LensDone)
