// Selection rules: scores → the set of blocks to remove. Pure functions taking microseconds, so a
// GUI slider can call them directly. Layer numbers are the original 0-based block numbers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "avss/layer_scores.h"

namespace avss {

enum class RuleKind {
    Count,          // remove the `count` first layers in prune order
    Fraction,       // remove ⌊fraction · layers⌋ first layers in prune order
    Mass,           // sort ascending, accumulate value / Σ value while the total stays ≤ mass
    ReferenceCode,  // the authors' script: cumulative value / Σ value in LAYER order, keep ≤ mass
                    // (always a prefix of early layers; reproduced for comparison only)
};
bool isMassRule(RuleKind kind);                  // Mass and ReferenceCode: they add up score values
// Mass rules need a metric whose low values are pruned first and whose values are amounts; count and
// fraction take any metric.
bool ruleApplies(RuleKind kind, const MetricInfo& metric);
const char* ruleName(RuleKind kind);             // "count", "fraction", "mass", "reference-code"
RuleKind parseRuleKind(std::string_view name);   // UsageError listing the names

struct PruningRule {
    RuleKind kind = RuleKind::Fraction;
    int count = 0;
    double fraction = 0.25;
    double mass = 0.25;
    bool protectFirst = true;  // block 0 is never removed
    bool protectLast = true;   // block L − 1 is never removed
};

struct PruningPlan {
    std::string metric;
    PruningRule rule;
    std::vector<int> removed;  // in selection order
    std::vector<int> kept;     // ascending
    std::string description;   // e.g. "fraction 0.25 of 30 layers → 7 lowest by bi, blocks 0 and 29 protected"
    std::vector<std::string> notes;  // protected layers the rule chose, one per guarded layer (scores.guardedLayers), ...
};

// Throws UsageError on bad rule parameters, a mass/reference-code rule on a metric that is not
// LowFirst, or non-finite/negative values where the rule needs a mass. Guarded layers (lower-bound
// scores) are ranked as scored by count and fraction; the mass rules leave them out of the total
// and never select them (docs/metrics.md, "Selection rules").
PruningPlan planPruning(const LayerScores& scores, const PruningRule& rule);

// `rule` turned into one of kind `to` that removes as many layers as `rule` does now (the closest
// count; on ties the smaller parameter), so switching rules does not jump: count and fraction
// exactly, mass rules at the slider's 1 % steps. `rule` unchanged when `to` does not apply.
PruningRule switchRule(const LayerScores& scores, const PruningRule& rule, RuleKind to);

// Gromov et al.: remove the contiguous span starting at the best start that touches no protected block.
PruningPlan planSpanPruning(const SpanScores& spans, int layerCount, bool protectFirst = true, bool protectLast = true);

}  // namespace avss
