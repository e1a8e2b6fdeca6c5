// Hand-made accumulators for score, rule and cache tests: every per-layer quantity is chosen, so
// expected scores follow by arithmetic.
#pragma once

#include <cstdint>
#include <vector>

#include "avss/activation_stats.h"

namespace avss::test {

struct LayerSpec {
    double variance = 1.0;          // channel variance of block_out (and mlp_act)
    std::int64_t nearZero = 10;     // elements with |a| < every threshold (abs and rel)
    double refVariance = 1.0;       // reference-code pooled variance per batch
    double refSparsity = 0.01;      // reference-code near-zero fraction per batch
    double cos = 0.9;               // block in → out cosine
    double lastAngle = 0.1;         // last-token angle between h_ℓ and h_ℓ+1
};

constexpr std::int64_t kTokens = 100;
constexpr int kWidth = 4;

inline SiteStats handSite(const LayerSpec& l, const StatsSettings& s) {
    SiteStats site;
    site.tokens = kTokens;
    site.mean.assign(kWidth, 0.5);
    site.m2.assign(kWidth, l.variance * kTokens);
    site.nearZeroAbs.assign(s.absThresholds.size(), l.nearZero);
    site.nearZeroRel.assign(s.relThresholds.size(), l.nearZero);
    site.hoyerSum = static_cast<double>(l.nearZero);
    site.pooledSamples = 4;
    site.pooledVarSum = 4 * l.refVariance;
    site.refBatches = 2;
    site.refPooledVarSum = 2 * l.refVariance;
    site.refNearZeroSum = 2 * l.refSparsity;
    return site;
}

// `shards` copies of the same layers (scaled per shard by shardScale[s] when given).
inline ActivationStats handStats(const std::vector<LayerSpec>& layers, int shards = 1,
                                 const std::vector<std::vector<LayerSpec>>& perShard = {}) {
    ActivationStats st;
    auto& p = st.provenance;
    p.modelFingerprint = "model-fp";
    p.modelName = "hand-made";
    p.layerCount = static_cast<int>(layers.size());
    p.hiddenSize = p.ffnSize = kWidth;
    p.dataFingerprint = "data-fp";
    p.dataName = "hand";
    p.shardCount = perShard.empty() ? shards : static_cast<int>(perShard.size());
    p.toolVersion = "test";
    const int L = p.layerCount, S = p.shardCount;
    for (int s = 0; s < S; ++s) {
        const auto& spec = perShard.empty() ? layers : perShard[static_cast<std::size_t>(s)];
        ShardStats sh;
        sh.sequences = 4;
        sh.spans.states = L + 1;
        sh.spans.sequences = 4;
        sh.spans.angleSum.assign(static_cast<std::size_t>((L + 1) * (L + 1)), 0.0);
        sh.spans.cosSum = sh.spans.angleSum;
        for (int l = 0; l < L; ++l) {
            const auto& ls = spec[static_cast<std::size_t>(l)];
            LayerStats x;
            x.blockOut = x.mlpAct = handSite(ls, p.options.settings);
            x.transition = TransitionStats{kTokens, ls.cos * kTokens, 0.1 * kTokens, 0.2 * kTokens};
            sh.layers.push_back(x);
            for (int n = 1; l + n <= L; ++n) sh.spans.angleSum[static_cast<std::size_t>(l * (L + 1) + l + n)] = 4 * ls.lastAngle * n;
        }
        st.shards.push_back(sh);
    }
    return st;
}

}  // namespace avss::test
