// Measured what-if points of one analysis (model + data + settings), keyed by metric and removed
// set, persisted as JSON next to the analysis cache so a configuration is measured only once.
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
    QString note;
    QString measuredUtc;
    double densePerplexity() const;
    double prunedPerplexity() const;
    double retention() const;   // PPL_dense / PPL_pruned
};

class MeasurementBook {
public:
    // Reads `file` if it exists. Returns the reason when it exists but cannot be used (the book
    // then starts empty and the file is replaced on the next add).
    QString open(const QString& file);
    void clear();
    const QString& file() const { return m_file; }

    // A measured NLL pair for the same removed set and evaluation settings, under any metric.
    std::optional<MeasuredPoint> findRemoved(const std::vector<int>& removed, int window, qint64 evalTokens) const;
    // Adds or replaces the (metric, removed, settings) entry and writes the file atomically.
    // Returns the reason when the file could not be written (the point is kept in memory).
    QString add(const MeasuredPoint& point);
    const std::vector<MeasuredPoint>& points() const { return m_points; }

private:
    QString m_file;
    std::vector<MeasuredPoint> m_points;
};

}  // namespace avss::ui
