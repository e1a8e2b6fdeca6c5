// What each layer metric means, for people: one line of meaning, what a low or high value says for
// pruning, the tensor it reads, and the paper it comes from; plus a glossary and the citations.
// Static text keyed by the registry's ids (docs/metrics.md is the long form). Torch-free.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace avss {

struct MetricGuide {
    std::string meaning;  // one line: what the number measures
    std::string pruning;  // what low and high values mean for pruning
    std::string source;   // a key of citations(), or "" for the project's own variants
};
// Every id of metricRegistry(), the measured ids and "iterative:<id>". UsageError for an unknown id.
MetricGuide metricGuide(std::string_view id);

// The metric pruning starts with — the CLI's `avss prune --metric` and the explorer's first choice —
// and why. The one place this decision lives: the metric with the best mean retention over tasks at
// a quarter of the blocks removed in the project's retention sweep of the sample model, preferring
// one computed from the statistics when a measured one (extra forward passes) is not clearly better.
// AVSS presets stay available by name.
struct DefaultMetric {
    std::string id;        // a metricRegistry() id
    std::string why;       // a paragraph for tooltips and Help ▸ Metrics explained
    std::string evidence;  // the document with the measurement and the command that re-runs it
};
const DefaultMetric& defaultPruneMetric();

struct GlossaryEntry {
    std::string term, definition;
};
const std::vector<GlossaryEntry>& glossary();

struct Citation {
    std::string key;      // "avss", "shortgpt", ...
    std::string text;     // authors, title, year
    std::string arxiv;    // "2411.02117"
};
const std::vector<Citation>& citations();

}  // namespace avss
