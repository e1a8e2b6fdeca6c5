// The sorted ("scree") view of one metric: layers in prune order with the cumulative score mass,
// where the current plan cuts, and which layers sit too close to the cut to trust. Pure function
// of LayerScores and a plan, cheap enough for a slider. Definitions: docs/metrics.md, "Scree view".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "avss/layer_scores.h"

namespace avss {

struct ScreeBar {
    int layer = 0;
    int position = 0;             // place in prune order (x of the bar), 0 = pruned first
    double value = 0, sd = 0;     // sd across shards (NaN: one shard, or a metric without data)
    double bottomFrequency = 0;   // share of shards whose lowest-k set holds the layer (k = stability.bottomCount)
    bool lowerBound = false;      // guarded: the value is only a lower bound ("≥")
    bool removed = false, isProtected = false;
    double cumulativeMass = 0;    // Σ value / total up to this bar, as the mass rule adds (NaN: not amounts)
    bool uncertainAtCut = false;  // value ± sd reaches the cut value
    bool uncertainShards = false; // shards disagree whether it is among the lowest k (0 < bottomFrequency < 1)
};

struct Scree {
    std::string metric;
    std::vector<ScreeBar> bars;   // prune order
    // x of the cut between removed and kept bars (position of the last removed bar + 0.5; −0.5 when
    // none is removed); nullopt when the plan does not cut on the values (reference-code rule).
    std::optional<double> cutPosition;
    std::optional<double> cutValue;  // midway between the last removed and the first kept candidate
    bool hasMass = false;            // cumulativeMass is defined (the mass rule applies to the metric)
};

// `removed` and `protectedLayers` from the current plan; `cutsOnValues` false for the reference-code rule.
Scree screeOf(const LayerScores& scores, const std::vector<int>& removed, const std::vector<int>& protectedLayers,
              bool cutsOnValues = true);

// How many candidate (not protected) layers lie left of x in the scree: the count a cut dragged to
// x removes.
int screeCountAt(const Scree& scree, double x);

}  // namespace avss
