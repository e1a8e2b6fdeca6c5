// collectStats(): windows → batches → forward passes with a StatsObserver, one shard at a time; the
// same pass with blocks bypassed for the statistics of a pruned network (analysis/pruned_stats.h).
#include "avss/collect.h"

#include <torch/torch.h>

#include <algorithm>

#include "analysis/pruned_stats.h"
#include "analysis/stats_observer.h"
#include "analysis/windows.h"
#include "avss/build_info.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "util/utc_time.h"

namespace avss {
namespace {

// Runs windows [begin, end) in batches, merging their statistics into `shard`.
void runShard(const Model::Impl& m, const analysis::WindowPlan& plan, int begin, int end, int batchSize,
              const std::vector<bool>& skip, analysis::StatsObserver& observer, ShardStats& shard,
              const std::function<void(std::int64_t)>& advanced, const CancelToken* cancel) {
    model::ForwardOptions fo;
    fo.skip = &skip;
    fo.observer = &observer;
    fo.logits = model::Logits::None;  // statistics only: skip the LM head
    for (int w0 = begin; w0 < end; w0 += batchSize) {
        if (cancel != nullptr) cancel->throwIfCancelled();
        const int b = std::min(batchSize, end - w0);
        auto tokens = torch::empty({b, plan.sequenceLength}, torch::kInt64);  // [b, T]
        for (int i = 0; i < b; ++i) plan.fill(w0 + i, tokens.data_ptr<std::int64_t>() + static_cast<std::int64_t>(i) * plan.sequenceLength);
        tokens = tokens.to(m.device);
        const auto mask = torch::ones({b, plan.sequenceLength}, torch::TensorOptions().dtype(torch::kBool).device(m.device));
        observer.beginBatch(mask, shard);
        model::forward(m, tokens, mask, fo);
        observer.endBatch();
        advanced(static_cast<std::int64_t>(b) * plan.sequenceLength);
    }
}

}  // namespace

StatsProvenance modelProvenance(const ModelInfo& model) {
    StatsProvenance p;
    p.modelFingerprint = model.fingerprint;
    p.modelName = model.name;
    p.weightStorage = weightStorageName(model.weightStorage);
    p.layerCount = model.hparams.layers;
    p.hiddenSize = model.hparams.hidden;
    p.ffnSize = model.hparams.ffn;
    p.toolVersion = AVSS_VERSION;
    return p;
}

StatsProvenance wantedProvenance(const ModelInfo& model, const Corpus& corpus, const CollectOptions& options) {
    auto p = modelProvenance(model);
    p.dataFingerprint = corpus.fingerprint;
    p.dataName = corpus.name;
    p.options = options;
    return p;
}

namespace {

std::string blockList(std::vector<int> blocks) {
    std::sort(blocks.begin(), blocks.end());
    std::string s;
    for (int b : blocks) s += (s.empty() ? "" : ", ") + std::to_string(b);
    return s;
}

// One pass over the windows; `removed` blocks are bypassed and absent from the statistics.
ActivationStats collect(const Model& model, const Corpus& corpus, const CollectOptions& options, const std::vector<int>& removed,
                        const ProgressFn& progress, const CancelToken* cancel) {
    const auto& m = modelImpl(model);
    const auto skip = model::skipMask(m.hp.layers, removed);  // UsageError naming a bad block number
    if (std::count(skip.begin(), skip.end(), false) == 0) throw UsageError({}, "every block would be skipped: nothing to observe");
    const auto plan = analysis::planWindows(model.tokenizer(), corpus, options, m.hp.contextLength);
    torch::InferenceMode inference;
    ActivationStats stats;
    auto& p = stats.provenance;
    p = wantedProvenance(model.info(), corpus, options);
    p.tokensAvailable = plan.tokensAvailable;
    p.sequences = plan.windows;
    p.tokens = static_cast<std::int64_t>(plan.windows) * plan.sequenceLength;
    p.calibrationTokens = static_cast<std::int64_t>(plan.windows) * plan.content;  // held-out text starts here
    p.shardCount = plan.shards();
    p.bosPerWindow = plan.bos;
    p.createdUtc = utcTimestamp();
    p.warnings = plan.warnings;
    analysis::StatsObserver observer(m.hp.layers, m.hp.hidden, m.hp.ffn, options.settings, analysis::Reduction::Auto, skip);
    observer.splitOverKernelThreads(!model::bf16OnCpu(m));
    if (!removed.empty()) {
        p.layerCount = static_cast<int>(std::count(skip.begin(), skip.end(), false));
        p.warnings.push_back((removed.size() == 1 ? "block " + blockList(removed) + " was" : "blocks " + blockList(removed) + " were") +
                             " skipped: layer i of these statistics is the i-th remaining block");
    }
    stats.shards.resize(static_cast<std::size_t>(plan.shards()));
    std::int64_t done = 0;
    const auto advanced = [&](std::int64_t n) {
        done += n;
        report(progress, Progress{"analysing", done, p.tokens, "tokens"});
    };
    report(progress, Progress{"analysing", 0, p.tokens, "tokens"});
    for (int s = 0; s < plan.shards(); ++s) {
        runShard(m, plan, plan.shardBegin[static_cast<std::size_t>(s)], plan.shardBegin[static_cast<std::size_t>(s) + 1],
                 options.batchSize, skip, observer, stats.shards[static_cast<std::size_t>(s)], advanced, cancel);
    }
    return stats;
}

}  // namespace

ActivationStats collectStats(const Model& model, const Corpus& corpus, const CollectOptions& options,
                             const ProgressFn& progress, const CancelToken* cancel) {
    return collect(model, corpus, options, {}, progress, cancel);
}

namespace analysis {

ActivationStats collectPrunedStats(const Model& model, const Corpus& corpus, const CollectOptions& options,
                                   const std::vector<int>& removed, const ProgressFn& progress, const CancelToken* cancel) {
    return collect(model, corpus, options, removed, progress, cancel);
}

}  // namespace analysis

}  // namespace avss
