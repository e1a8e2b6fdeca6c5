// selectIteratively() (see iterative_selection.h).
#include "analysis/iterative_selection.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "analysis/pruned_stats.h"

namespace avss::analysis {
namespace {

constexpr std::string_view kPrefix = "iterative:";

// Original block numbers of the blocks that still run, ascending: layer i of the pruned statistics is kept[i].
std::vector<int> keptBlocks(int layers, const std::vector<int>& removed) {
    std::vector<int> kept;
    for (int l = 0; l < layers; ++l) {
        if (std::find(removed.begin(), removed.end(), l) == removed.end()) kept.push_back(l);
    }
    return kept;
}

}  // namespace

std::string iterativeBase(std::string_view id) {
    return id.substr(0, kPrefix.size()) == kPrefix ? std::string(id.substr(kPrefix.size())) : std::string();
}

MeasuredImportance selectIteratively(const Model& model, const Corpus& corpus, std::string_view metric,
                                     const MeasuredOptions& options, int steps, const ProgressFn& progress,
                                     const CancelToken* cancel) {
    const auto started = std::chrono::steady_clock::now();
    const std::string base = iterativeBase(metric);
    MeasuredImportance r;
    r.metric = std::string(metric);
    r.layerCount = model.info().hparams.layers;
    r.maxRemoved = steps;
    r.protectFirst = options.protectFirst;
    r.protectLast = options.protectLast;
    r.forwardPasses = steps;
    CollectOptions co;
    co.sequenceLength = options.window;
    co.maxTokens = options.tokens;
    co.batchSize = options.batch;
    co.shards = 1;  // the ranking reads the all-data value only
    co.settings = options.settings;
    const int L = r.layerCount;
    std::vector<int> removed;
    for (int s = 0; s < steps; ++s) {
        if (cancel != nullptr) cancel->throwIfCancelled();
        const auto stats = collectPrunedStats(model, corpus, co, removed, {}, cancel);
        const auto scores = scoreLayers(stats, base);
        const auto kept = keptBlocks(L, removed);
        MeasuredStep pick{-1};
        for (int i : scores.pruneOrder) {  // i: layer of the pruned statistics
            const int block = kept[static_cast<std::size_t>(i)];
            const double v = scores.layers[static_cast<std::size_t>(i)].value;
            if ((options.protectFirst && block == 0) || (options.protectLast && block == L - 1) || std::isnan(v)) continue;
            pick.layer = block;
            pick.value = v;
            if (std::find(scores.guardedLayers.begin(), scores.guardedLayers.end(), i) != scores.guardedLayers.end()) {
                r.notes.push_back("step " + std::to_string(s) + ": block " + std::to_string(block) + "'s score rests on a guard (" +
                                  scores.guardNote + ")");
            }
            break;
        }
        if (pick.layer < 0) {
            r.notes.push_back("stopped after " + std::to_string(s) + " steps: no remaining candidate has a " + base + " value");
            break;
        }
        removed.push_back(pick.layer);
        r.steps.push_back(pick);
        r.windows = stats.provenance.sequences;
        r.window = stats.provenance.options.sequenceLength;
        r.tokens = stats.provenance.calibrationTokens;
        r.bosPerWindow = stats.provenance.bosPerWindow;
        report(progress, Progress{r.metric, s + 1, steps, "passes"});
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
}

}  // namespace avss::analysis
