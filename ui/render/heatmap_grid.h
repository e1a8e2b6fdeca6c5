// Scores → the heatmap's rows: pure functions, no widgets. Rows come from the scores the core
// computed (registry order), never from a hard-coded metric list.
#pragma once

#include <QImage>
#include <QString>
#include <vector>

#include "avss/layer_scores.h"

namespace avss::ui {

enum class HeatmapScale {
    Value,  // min–max of the row's finite values (of their log10 when positive and spanning > 2 decades)
    Rank,   // the metric's prune rank (components: rank of the value), evenly spaced
};

struct HeatmapRow {
    QString id;        // metric id, or "<metric id>/<component>" for a component row
    QString label;     // display name
    QString metricId;  // the metric this row shows or belongs to
    bool isMetric = true;
    bool logColour = false;          // Value scale: positive values spanning > 2 decades are coloured by log10
    std::vector<double> values;      // [layer] raw values from the core (LayerScore.value or component)
    std::vector<double> sd;          // [layer] spread across shards; NaN where not available
    std::vector<int> rank;           // [layer] prune rank (0 = pruned first); −1 for component rows
    std::vector<double> normalised;  // [layer] colour position in [0, 1]; NaN for non-finite values
};

struct HeatmapGrid {
    int layers = 0;
    std::vector<HeatmapRow> rows;
    int rowOf(const QString& id) const;  // −1 when absent
};

// Component rows (variance, sparsity) of the first metric that has components, then one row per
// metric that uses the data. Metric rows are oriented so that 0 (dark) = pruned first.
HeatmapGrid buildHeatmapGrid(const std::vector<avss::LayerScores>& scores, HeatmapScale scale);

// One pixel per cell (layers × rows), viridis; grey for non-finite values. The view scales it
// without smoothing, which keeps cells crisp at any device-pixel ratio.
QImage renderHeatmapCells(const HeatmapGrid& grid);

}  // namespace avss::ui
