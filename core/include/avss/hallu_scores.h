// Hallucination-prone layers from truthful vs hallucinated statistics (avss/hallu_stats.h): HSAV,
// HSS and EAVSS per layer, each from all shards merged and per shard (mean ± sd, rank stability),
// built on one AVSS preset's variance and sparsity. Pure functions, no torch. Formulas:
// docs/hallucination.md. Orientation: rank 0 = the most hallucination-prone layer (highest value),
// and LayerScores::bottomSet holds the top-k selected layers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "avss/hallu_stats.h"
#include "avss/layer_scores.h"

namespace avss {

struct HalluVariant {
    std::string id;       // "ratio", "hallucinated", "shift"
    std::string name;
    std::string formula;  // one line, plain text
    bool hasComponents;   // HSAV and HSS exist (false for shift)
};
const std::vector<HalluVariant>& halluVariants();
const HalluVariant& findHalluVariant(std::string_view id);  // UsageError listing the ids

struct HalluScoreOptions {
    std::string variant = "ratio";
    std::string base = "avss-rel";    // the AVSS preset whose variance, sparsity and tensor are used
    int topK = -1;                    // selected layers; −1 = ⌊layers / 4⌋, the paper's 25 %
};

struct HalluScores {
    std::string variant, base;
    LayerScores eavss;                   // metric "eavss-<variant>"
    std::optional<LayerScores> hsav, hss;  // when the variant has them; same orientation
    std::vector<int> selected;           // eavss.bottomSet sorted by layer number
    double truthfulTokensPerAnswer = 0, hallucinatedTokensPerAnswer = 0;  // the length confound
    std::vector<std::string> warnings;
};

// UsageError: unknown variant or base, a base these statistics cannot give, sides with different
// layer or shard counts.
HalluScores scoreHallucination(const HalluStats& stats, const HalluScoreOptions& options = {});

// How two rankings of the same model's layers agree (e.g. TruthfulQA vs HaluEval pairs): Kendall
// τ-b of the EAVSS values and Jaccard overlap of the selected sets.
struct HalluAgreement {
    double kendallTau = 0;
    double selectedJaccard = 0;
};
HalluAgreement compareHallucination(const HalluScores& a, const HalluScores& b);  // UsageError: layer counts differ

}  // namespace avss
