// Help ▸ Metrics explained (F1): every metric's meaning, formula, tensor, pruning reading and
// source, the glossary, the metric-agreement matrix of the open analysis, and the references.
// The text comes from the core (avss::metricGuide, glossary, citations, compareMetrics).
#pragma once

#include <QString>
#include <vector>

class QWidget;

namespace avss {
struct LayerScores;
}

namespace avss::ui {

// The page as HTML; `scores` (may be null) adds the agreement matrix of that analysis.
QString metricsExplainedHtml(const std::vector<avss::LayerScores>* scores);
// A one-paragraph tooltip for a metric: name, meaning, formula, pruning reading.
QString metricTooltip(const QString& metricId);
// Opens (or raises) the non-modal page, scrolled to `anchor` when given ("default-metric": why the
// default metric is the default).
void showMetricsExplained(QWidget* parent, const std::vector<avss::LayerScores>* scores, const QString& anchor = {});

}  // namespace avss::ui
