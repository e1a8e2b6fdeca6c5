// JSON pieces shared by every report that carries layer scores (score reports, hallucination
// reports): the same names and the same NaN → null rule everywhere.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "avss/activation_stats.h"
#include "avss/layer_scores.h"

namespace avss::analysis {

nlohmann::json provenanceJson(const StatsProvenance& p);
nlohmann::json layersJson(const std::vector<LayerScore>& layers, const char* key);  // key: "layer" or "start"
nlohmann::json stabilityJson(const RankStability& stability);
nlohmann::json componentsJson(const std::vector<NamedSeries>& components);

}  // namespace avss::analysis
