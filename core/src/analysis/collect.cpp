// collectStats(): windows → batches → forward passes with a StatsObserver, one shard at a time.
#include "avss/collect.h"

#include <torch/torch.h>

#include <ctime>

#include "analysis/stats_observer.h"
#include "analysis/windows.h"
#include "avss/build_info.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace avss {
namespace {

std::string nowUtc() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Runs windows [begin, end) in batches, merging their statistics into `shard`.
void runShard(const Model::Impl& m, const analysis::WindowPlan& plan, int begin, int end, int batchSize,
              analysis::StatsObserver& observer, ShardStats& shard, const std::function<void(std::int64_t)>& advanced,
              const CancelToken* cancel) {
    model::ForwardOptions fo;
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

StatsProvenance wantedProvenance(const ModelInfo& model, const Corpus& corpus, const CollectOptions& options) {
    StatsProvenance p;
    p.modelFingerprint = model.fingerprint;
    p.modelName = model.name;
    p.weightStorage = weightStorageName(model.weightStorage);
    p.layerCount = model.hparams.layers;
    p.hiddenSize = model.hparams.hidden;
    p.ffnSize = model.hparams.ffn;
    p.dataFingerprint = corpus.fingerprint;
    p.dataName = corpus.name;
    p.options = options;
    p.toolVersion = AVSS_VERSION;
    return p;
}

ActivationStats collectStats(const Model& model, const Corpus& corpus, const CollectOptions& options,
                             const ProgressFn& progress, const CancelToken* cancel) {
    const auto& m = modelImpl(model);
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
    p.createdUtc = nowUtc();
    p.warnings = plan.warnings;

    analysis::StatsObserver observer(m.hp.layers, m.hp.hidden, m.hp.ffn, options.settings);
    stats.shards.resize(static_cast<std::size_t>(plan.shards()));
    std::int64_t done = 0;
    const auto advanced = [&](std::int64_t n) {
        done += n;
        report(progress, Progress{"analysing", done, p.tokens, "tokens"});
    };
    report(progress, Progress{"analysing", 0, p.tokens, "tokens"});
    for (int s = 0; s < plan.shards(); ++s) {
        runShard(m, plan, plan.shardBegin[static_cast<std::size_t>(s)], plan.shardBegin[static_cast<std::size_t>(s) + 1],
                 options.batchSize, observer, stats.shards[static_cast<std::size_t>(s)], advanced, cancel);
    }
    return stats;
}

}  // namespace avss
