// Merging of the streaming accumulators (Chan et al.'s parallel update for mean and M2; plain
// sums for everything else). The provenance comparison lives in stats_identity.cpp.
#include "avss/activation_stats.h"

#include <cmath>
#include <limits>

#include "avss/error.h"

namespace avss {
namespace {

template <class T>
void addInto(std::vector<T>& into, const std::vector<T>& from, const char* what) {
    if (into.empty()) into.assign(from.size(), T{});
    if (into.size() != from.size()) {
        throw UsageError({}, std::string("cannot merge statistics: ") + what + " has " + std::to_string(from.size()) +
                                 " entries here and " + std::to_string(into.size()) + " there");
    }
    for (std::size_t i = 0; i < from.size(); ++i) into[i] += from[i];
}

}  // namespace

const char* statPointName(StatPoint p) {
    switch (p) {
        case StatPoint::BlockOut: return "block_out";
        case StatPoint::MlpAct: return "mlp_act";
        case StatPoint::AttnOut: return "attn_out";
        case StatPoint::BlockIn: return "block_in";
    }
    return "?";
}

double SiteStats::channelVariance() const {
    if (tokens == 0 || mean.empty()) return std::numeric_limits<double>::quiet_NaN();
    double sum = 0;
    for (double v : m2) sum += v;
    return sum / static_cast<double>(tokens) / static_cast<double>(m2.size());
}

void SiteStats::merge(const SiteStats& o) {
    if (o.tokens == 0 && o.refBatches == 0 && o.pooledSamples == 0) return;
    if (mean.empty()) {
        mean.assign(o.mean.size(), 0.0);
        m2.assign(o.m2.size(), 0.0);
    }
    if (mean.size() != o.mean.size()) {
        throw UsageError({}, "cannot merge statistics of width " + std::to_string(o.mean.size()) + " into width " +
                                 std::to_string(mean.size()));
    }
    const double na = static_cast<double>(tokens), nb = static_cast<double>(o.tokens), n = na + nb;
    if (o.tokens > 0) {
        for (std::size_t w = 0; w < mean.size(); ++w) {
            const double delta = o.mean[w] - mean[w];
            mean[w] += delta * (nb / n);
            m2[w] += o.m2[w] + delta * delta * (na * nb / n);
        }
    }
    tokens += o.tokens;
    addInto(nearZeroAbs, o.nearZeroAbs, "nearZeroAbs");
    addInto(nearZeroRel, o.nearZeroRel, "nearZeroRel");
    hoyerSum += o.hoyerSum;
    pooledSamples += o.pooledSamples;
    pooledVarSum += o.pooledVarSum;
    refBatches += o.refBatches;
    refPooledVarSum += o.refPooledVarSum;
    refNearZeroSum += o.refNearZeroSum;
}

void TransitionStats::merge(const TransitionStats& o) {
    tokens += o.tokens;
    cosSum += o.cosSum;
    angleSum += o.angleSum;
    relUpdateSum += o.relUpdateSum;
}

double SpanStats::meanAngle(int from, int to) const {
    if (sequences == 0 || from < 0 || to >= states || from >= to) return std::numeric_limits<double>::quiet_NaN();
    return angleSum[static_cast<std::size_t>(from) * static_cast<std::size_t>(states) + static_cast<std::size_t>(to)] /
           static_cast<double>(sequences);
}

void SpanStats::merge(const SpanStats& o) {
    if (o.states == 0) return;
    if (states == 0) states = o.states;
    if (states != o.states) {
        throw UsageError({}, "cannot merge span statistics of " + std::to_string(o.states) + " states into " +
                                 std::to_string(states));
    }
    addInto(angleSum, o.angleSum, "span angles");
    addInto(cosSum, o.cosSum, "span cosines");
    sequences += o.sequences;
}

const SiteStats& LayerStats::site(StatPoint p) const {
    switch (p) {
        case StatPoint::BlockOut: return blockOut;
        case StatPoint::MlpAct: return mlpAct;
        case StatPoint::AttnOut: return attnOut;
        case StatPoint::BlockIn: break;
    }
    throw UsageError({}, std::string("the ") + statPointName(p) + " point has no site statistics (it feeds transitions only)");
}
SiteStats& LayerStats::site(StatPoint p) { return const_cast<SiteStats&>(static_cast<const LayerStats&>(*this).site(p)); }

std::int64_t ShardStats::tokens() const { return layers.empty() ? 0 : layers.front().blockOut.tokens; }

void ShardStats::merge(const ShardStats& o) {
    if (layers.empty()) layers.resize(o.layers.size());
    if (layers.size() != o.layers.size()) {
        throw UsageError({}, "cannot merge statistics of " + std::to_string(o.layers.size()) + " layers into " +
                                 std::to_string(layers.size()));
    }
    for (std::size_t l = 0; l < layers.size(); ++l) {
        for (int p = 0; p < kStatPointCount; ++p) {
            layers[l].site(static_cast<StatPoint>(p)).merge(o.layers[l].site(static_cast<StatPoint>(p)));
        }
        layers[l].transition.merge(o.layers[l].transition);
    }
    spans.merge(o.spans);
    sequences += o.sequences;
}

ShardStats ActivationStats::merged() const {
    ShardStats all;
    for (const auto& s : shards) all.merge(s);
    return all;
}

}  // namespace avss
