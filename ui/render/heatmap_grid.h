// Scores → the heatmap's rows: pure functions, no widgets. Rows come from the scores the core
// computed (registry order), never from a hard-coded metric list.
#pragma once

#include <QImage>
#include <QString>
#include <vector>

#include "avss/hallu_scores.h"
#include "avss/layer_scores.h"

namespace avss::ui {

enum class HeatmapScale {
    Value,  // min–max of the row's finite values (of their log10 when positive and spanning > 2 decades)
    Rank,   // the metric's prune rank (components: rank of the value), evenly spaced
};

// Which model's rows the heatmap shows once a tuned copy was analysed next to the original.
enum class HeatmapSide {
    Original,
    Tuned,
    Difference,  // tuned − original, row by row
};

struct HeatmapRow {
    QString id;        // metric id, or "<metric id>/<component>" for a component row
    QString label;     // display name
    QString metricId;  // the metric this row shows or belongs to (empty: a hallucination row)
    bool isMetric = true;
    bool isHallucination = false;    // EAVSS/HSAV/HSS: rank 0 = most hallucination-prone, bright = high
    bool isDifference = false;       // values = tuned − original; bright = increased
    bool logColour = false;          // Value scale: positive values spanning > 2 decades are coloured by log10
    std::vector<double> values;      // [layer] raw values from the core (LayerScore.value or component)
    std::vector<double> sd;          // [layer] spread across shards; NaN where not available
    std::vector<int> rank;           // [layer] prune rank (0 = pruned first); −1 for component rows
    std::vector<bool> lowerBound;    // [layer] the value is only a lower bound (the core's guardedLayers)
    QString boundNote;               // the core's guardNote
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

// EAVSS, then HSAV and HSS (when the variant has them) of one hallucination analysis, appended below
// the AVSS rows with ids "hallu/<name>". Bright = high = more hallucination-prone under either scale.
void appendHallucinationRows(HeatmapGrid& grid, const avss::HalluScores& scores, const QString& source, HeatmapScale scale);

// Rows of `original` whose id `tuned` also has, with values tuned − original (NaN where either is
// not finite), coloured by Δ / max |Δ| of the row around the middle (unchanged = 0.5) or by rank;
// ranks −1, no shard spread.
HeatmapGrid differenceGrid(const HeatmapGrid& original, const HeatmapGrid& tuned, HeatmapScale scale);

// One pixel per cell (layers × rows), viridis; grey for non-finite values. The view scales it
// without smoothing, which keeps cells crisp at any device-pixel ratio.
QImage renderHeatmapCells(const HeatmapGrid& grid);

}  // namespace avss::ui
