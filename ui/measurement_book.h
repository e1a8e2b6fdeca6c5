// Measured what-if points of one analysis (model + data + settings), keyed by metric, removed set
// and what was scored (held-out perplexity or a benchmark task), persisted as JSON next to the
// analysis cache so a configuration is measured only once.
#pragma once

#include <QString>
#include <optional>
#include <vector>

namespace avss::ui {

struct MeasuredPoint {
    QString metric;             // the metric whose plan chose the layers
    QString rule;               // the plan's description
    std::vector<int> removed;   // ascending, original 0-based block numbers
    double denseNll = 0, prunedNll = 0;
    qint64 predictedTokens = 0;
    int window = 0;
    qint64 evalTokens = 0;
    // Held-out perplexity: BOS before each window (the model's tokenizer rule, Tokenizer::prependsBos).
    // Files written before the field say nothing: false, what Measure did then.
    bool heldOutBos = false;
    QString note;
    QString measuredUtc;
    // A benchmark task (empty: held-out perplexity): its file and item limit, and its primary metric.
    QString task, taskFile;
    int taskLimit = 0;
    QString taskMetric;
    double denseScore = 0, prunedScore = 0, floor = 0;
    bool higherIsBetter = true;
    qint64 items = 0;
    bool isTask() const { return !task.isEmpty(); }
    double densePerplexity() const;
    double prunedPerplexity() const;
    double retention() const;   // avss::retentionRatio: PPL_dense / PPL_pruned; a task: pruned / dense (perplexity: dense / pruned)
};

// What a measurement scored: equal setups give comparable points.
struct MeasureSetup {
    int window = 0;             // held-out perplexity
    qint64 evalTokens = 0;
    QString task, taskFile;     // a benchmark task
    int taskLimit = 0;
    bool heldOutBos = false;    // held-out perplexity: BOS before each window
    static MeasureSetup of(const MeasuredPoint& p) { return {p.window, p.evalTokens, p.task, p.taskFile, p.taskLimit, p.heldOutBos}; }
    bool operator==(const MeasureSetup& o) const {
        return window == o.window && evalTokens == o.evalTokens && task == o.task && taskFile == o.taskFile && taskLimit == o.taskLimit &&
               heldOutBos == o.heldOutBos;
    }
};

class MeasurementBook {
public:
    // Reads `file` if it exists. Returns the reason when it exists but cannot be used (the book
    // then starts empty and the file is replaced on the next add).
    QString open(const QString& file);
    void clear();
    const QString& file() const { return m_file; }

    // A measured pair for the same removed set and setup, under any metric.
    std::optional<MeasuredPoint> findRemoved(const std::vector<int>& removed, const MeasureSetup& setup) const;
    // Adds or replaces the (metric, removed, settings) entry and writes the file atomically.
    // Returns the reason when the file could not be written (the point is kept in memory).
    QString add(const MeasuredPoint& point);
    const std::vector<MeasuredPoint>& points() const { return m_points; }

private:
    QString m_file;
    std::vector<MeasuredPoint> m_points;
};

}  // namespace avss::ui
