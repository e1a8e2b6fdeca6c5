// The metric registry and the formulas (docs/metrics.md states each one). AVSS presets are rows of
// one table: which tensor, which variance, which sparsity; the baselines are small functions.
#include "analysis/metrics.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "avss/error.h"

namespace avss::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class Variance { Channel, ReferencePooled };
enum class Sparsity { Absolute, Relative, Hoyer, ReferenceBatch };

struct AvssPreset {
    const char* id;
    StatPoint point;
    Variance variance;
    Sparsity sparsity;
    double threshold;  // ε (Absolute) or α (Relative); unused otherwise
    bool normalise;    // NAV / NS (paper) or the raw ratio (reference code)
};

const AvssPreset kPresets[] = {
    {"avss-paper", StatPoint::BlockOut, Variance::Channel, Sparsity::Absolute, 1e-5, true},
    {"avss-reference-code", StatPoint::BlockOut, Variance::ReferencePooled, Sparsity::ReferenceBatch, 1e-5, false},
    {"avss-rel", StatPoint::BlockOut, Variance::Channel, Sparsity::Relative, 0.05, true},
    {"avss-mlp", StatPoint::MlpAct, Variance::Channel, Sparsity::Relative, 0.05, true},
    {"avss-mlp-abs", StatPoint::MlpAct, Variance::Channel, Sparsity::Absolute, 1e-3, true},
    {"avss-mlp-hoyer", StatPoint::MlpAct, Variance::Channel, Sparsity::Hoyer, 0, true},
};

const AvssPreset* findPreset(const std::string& id) {
    for (const auto& p : kPresets) {
        if (id == p.id) return &p;
    }
    return nullptr;
}

std::size_t thresholdIndex(const std::vector<double>& list, double t, const std::string& metric, const char* kind) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (std::abs(list[i] - t) <= 1e-12 * t) return i;
    }
    std::ostringstream o;
    o << metric << " needs the " << kind << " threshold " << t << ", which these statistics do not contain";
    throw UsageError({}, o.str(), "Collect again with that threshold in the settings.");
}

const SiteStats& requireSite(const LayerStats& l, StatPoint p, const std::string& metric) {
    const auto& s = l.site(p);
    if (s.empty()) {
        throw UsageError({}, metric + " needs " + statPointName(p) + " statistics, which were not collected",
                         p == StatPoint::AttnOut ? "Collect with attention-output statistics on." : "");
    }
    return s;
}

// Raw sparsity of one site, or a guard value when nothing was near zero (see docs/metrics.md).
struct SparsityValue {
    double raw = 0, used = 0;
    bool guarded = false;
};

SparsityValue sparsityOf(const AvssPreset& p, const SiteStats& s, const StatsSettings& settings) {
    const double elements = s.elements();
    switch (p.sparsity) {
        case Sparsity::Absolute: {
            const auto k = thresholdIndex(settings.absThresholds, p.threshold, p.id, "absolute");
            const double raw = static_cast<double>(s.nearZeroAbs[k]) / elements;
            return raw > 0 ? SparsityValue{raw, raw, false} : SparsityValue{0, 0.5 / elements, true};
        }
        case Sparsity::Relative: {
            const auto k = thresholdIndex(settings.relThresholds, p.threshold, p.id, "relative");
            const double raw = static_cast<double>(s.nearZeroRel[k]) / elements;
            return raw > 0 ? SparsityValue{raw, raw, false} : SparsityValue{0, 0.5 / elements, true};
        }
        case Sparsity::Hoyer: {
            const double raw = s.hoyerSum / static_cast<double>(s.tokens);
            return raw > 0 ? SparsityValue{raw, raw, false} : SparsityValue{0, 0.5 / elements, true};
        }
        case Sparsity::ReferenceBatch: {
            const double raw = s.refNearZeroSum / static_cast<double>(s.refBatches);
            const double perBatch = elements / static_cast<double>(s.refBatches);
            return raw > 0 ? SparsityValue{raw, raw, false} : SparsityValue{0, 0.5 / perBatch, true};
        }
    }
    return {};
}

MetricValues avssValues(const AvssPreset& p, const ShardStats& st, const StatsSettings& settings) {
    const auto L = st.layers.size();
    std::vector<double> var(L), sp(L), used(L);
    MetricValues r;
    for (std::size_t l = 0; l < L; ++l) {
        const auto& s = requireSite(st.layers[l], p.point, p.id);
        var[l] = p.variance == Variance::Channel ? s.channelVariance()
                                                 : s.refPooledVarSum / static_cast<double>(s.refBatches);
        const auto v = sparsityOf(p, s, settings);
        sp[l] = v.raw;
        used[l] = v.used;
        if (v.guarded) r.guardedLayers.push_back(static_cast<int>(l));
    }
    double varSum = 0, spSum = 0;
    for (std::size_t l = 0; l < L; ++l) {
        varSum += var[l];
        spSum += used[l];
    }
    r.values.resize(L);
    for (std::size_t l = 0; l < L; ++l) {
        r.values[l] = p.normalise ? (var[l] / varSum) / (used[l] / spSum) : var[l] / used[l];
    }
    r.components = {{"variance", var}, {"sparsity", sp}};
    r.guardNote = p.sparsity == Sparsity::ReferenceBatch
                      ? "no near-zero element in any batch; sparsity set to half an element per batch"
                      : "no near-zero element; sparsity set to half an element (0.5 / elements)";
    return r;
}

template <class F>
MetricValues perLayer(const ShardStats& st, F&& f) {
    MetricValues r;
    for (std::size_t l = 0; l < st.layers.size(); ++l) r.values.push_back(f(static_cast<int>(l), st.layers[l]));
    return r;
}

double transitionMean(const TransitionStats& t, double TransitionStats::*field) {
    return t.tokens > 0 ? t.*field / static_cast<double>(t.tokens) : kNaN;
}

// splitmix64: a fixed, portable sequence (std:: distributions differ between library versions).
double uniform(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
}

}  // namespace

MetricValues metricValues(const MetricInfo& metric, const ShardStats& st, const StatsSettings& settings,
                          const ScoreOptions& options) {
    if (const auto* p = findPreset(metric.id)) return avssValues(*p, st, settings);
    const auto& id = metric.id;
    if (id == "bi") return perLayer(st, [](int, const LayerStats& l) { return 1.0 - transitionMean(l.transition, &TransitionStats::cosSum); });
    if (id == "angular-all") return perLayer(st, [](int, const LayerStats& l) { return transitionMean(l.transition, &TransitionStats::angleSum); });
    if (id == "update-norm") return perLayer(st, [](int, const LayerStats& l) { return transitionMean(l.transition, &TransitionStats::relUpdateSum); });
    if (id == "angular") return perLayer(st, [&](int l, const LayerStats&) { return st.spans.meanAngle(l, l + 1); });
    if (id == "reverse") return perLayer(st, [](int l, const LayerStats&) { return static_cast<double>(l); });
    if (id == "random") {
        std::uint64_t state = options.seed;
        return perLayer(st, [&](int, const LayerStats&) { return uniform(state); });
    }
    throw UsageError({}, "metric '" + id + "' has no formula");  // registry and formulas out of step: a bug
}

}  // namespace avss::analysis

namespace avss {

const std::vector<MetricInfo>& metricRegistry() {
    static const std::vector<MetricInfo> kMetrics = {
        {"avss-paper", "AVSS (paper)", "(σ²ℓ/Σσ²) / (Sℓ/ΣS); σ² = mean over channels of the variance across tokens; S = share of |a| < 1e-5", "block_out", PruneOrder::LowFirst, true},
        {"avss-reference-code", "AVSS (authors' code)", "V/S; V = batch mean of per-sequence variance across channels of the token-mean; S = batch mean of share |a| < 1e-5", "block_out", PruneOrder::LowFirst, true},
        {"avss-rel", "AVSS, relative sparsity", "(σ²ℓ/Σσ²) / (Sℓ/ΣS); S = share of |a| < 0.05 · RMS(token)", "block_out", PruneOrder::LowFirst, true},
        {"avss-mlp", "AVSS on the MLP activation", "(σ²ℓ/Σσ²) / (Sℓ/ΣS) of act(gate)·up; S = share of |a| < 0.05 · RMS(token)", "mlp_act", PruneOrder::LowFirst, true},
        {"avss-mlp-abs", "AVSS on the MLP activation, |a| < 1e-3", "(σ²ℓ/Σσ²) / (Sℓ/ΣS) of act(gate)·up; S = share of |a| < 1e-3", "mlp_act", PruneOrder::LowFirst, true},
        {"avss-mlp-hoyer", "AVSS on the MLP activation, Hoyer", "(σ²ℓ/Σσ²) / (Hℓ/ΣH); H = mean Hoyer sparsity (√W − ‖a‖₁/‖a‖₂)/(√W − 1)", "mlp_act", PruneOrder::LowFirst, true},
        {"bi", "Block Influence (ShortGPT)", "1 − mean over tokens of cos(in, out)", "block_in→block_out", PruneOrder::LowFirst, true},
        {"angular", "Angular distance, last token (Gromov, n = 1)", "mean over sequences of arccos(cos(h_ℓ[T], h_ℓ+1[T])) / π", "block_in→block_out", PruneOrder::LowFirst, true},
        {"angular-all", "Angular distance, all tokens", "mean over tokens of arccos(cos(in, out)) / π", "block_in→block_out", PruneOrder::LowFirst, true},
        {"update-norm", "Relative update norm", "mean over tokens of ‖out − in‖ / ‖in‖", "block_in→block_out", PruneOrder::LowFirst, true},
        {"reverse", "Reverse order", "layer number; the last layers go first", "none", PruneOrder::HighFirst, false},
        {"random", "Random (seeded)", "uniform [0, 1) per layer from splitmix64(seed)", "none", PruneOrder::LowFirst, false},
    };
    return kMetrics;
}

std::vector<std::string> metricIds() {
    std::vector<std::string> ids;
    for (const auto& m : metricRegistry()) ids.push_back(m.id);
    return ids;
}

const MetricInfo& findMetric(std::string_view id) {
    for (const auto& m : metricRegistry()) {
        if (m.id == id) return m;
    }
    std::string known;
    for (const auto& m : metricRegistry()) known += (known.empty() ? "" : ", ") + m.id;
    throw UsageError({}, "unknown metric '" + std::string(id) + "' (known: " + known + ")");
}

}  // namespace avss
