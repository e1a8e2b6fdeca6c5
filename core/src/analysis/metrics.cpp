// The metric table (docs/metrics.md states each formula): one row per metric holding what the
// registry shows and how its values are computed. AVSS rows hold a preset — which tensor, which
// variance, which sparsity, which threshold — and their formula text is generated from it.
#include "analysis/metrics.h"

#include <cmath>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "avss/error.h"
#include "avss/measured_importance.h"

namespace avss::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class Variance { Channel, ReferencePooled };
enum class Sparsity { Absolute, Relative, Hoyer, ReferenceBatch };

struct AvssPreset {
    StatPoint point;
    Variance variance;
    Sparsity sparsity;
    double threshold;  // ε (Absolute, ReferenceBatch) or α (Relative); unused for Hoyer
    bool normalise;    // NAV / NS (paper) or the raw ratio (reference code)
};

using BaselineFn = MetricValues (*)(const ShardStats&, const ScoreOptions&);

struct MetricRow {
    MetricInfo info;
    std::optional<AvssPreset> avss;  // AVSS rows: computed from the preset
    BaselineFn baseline = nullptr;   // every other row
};

std::string number(double x) {
    std::ostringstream o;
    o << x;
    return o.str();
}

// --- Formula text and availability, both read from the preset ----------------------------------

const char* tensorText(StatPoint p) {
    switch (p) {
        case StatPoint::BlockOut: return "the block output";
        case StatPoint::MlpAct: return "act(gate)·up";
        case StatPoint::AttnOut: return "the attention output";
        case StatPoint::BlockIn: return "the block input";
    }
    return "?";
}

const char* statisticsText(StatPoint p) {
    switch (p) {
        case StatPoint::BlockOut: return "block-output statistics";
        case StatPoint::MlpAct: return "MLP-activation statistics";
        case StatPoint::AttnOut: return "attention-output statistics";
        case StatPoint::BlockIn: return "block-input statistics";
    }
    return "?";
}

std::string sparsityText(const AvssPreset& p) {
    switch (p.sparsity) {
        case Sparsity::Absolute: return "S = share of |a| < " + number(p.threshold);
        case Sparsity::Relative: return "S = share of |a| < " + number(p.threshold) + " · RMS(token)";
        case Sparsity::Hoyer: return "H = mean Hoyer sparsity (√W − ‖a‖₁/‖a‖₂)/(√W − 1)";
        case Sparsity::ReferenceBatch: return "S = batch mean of share |a| < " + number(p.threshold);
    }
    return "?";
}

std::string avssFormula(const AvssPreset& p) {
    const std::string v = p.variance == Variance::Channel ? "σ²" : "V";
    const std::string s = p.sparsity == Sparsity::Hoyer ? "H" : "S";
    const std::string ratio = p.normalise ? "(" + v + "ℓ/Σ" + v + ") / (" + s + "ℓ/Σ" + s + ")" : v + "/" + s;
    const std::string variance = p.variance == Variance::Channel
                                     ? "σ² = mean over channels of the variance across tokens"
                                     : "V = batch mean of per-sequence variance across channels of the token-mean";
    return ratio + " of " + tensorText(p.point) + "; " + variance + "; " + sparsityText(p);
}

bool collected(StatPoint p, const StatsSettings& settings) {
    switch (p) {
        case StatPoint::BlockOut:
        case StatPoint::MlpAct: return true;
        case StatPoint::AttnOut: return settings.attnOut;
        case StatPoint::BlockIn: return false;  // feeds transitions only, never SiteStats
    }
    return false;
}

// Thresholds are found by value, so the order of the settings' lists does not matter.
std::optional<std::size_t> thresholdIndex(const std::vector<double>& list, double t) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (std::abs(list[i] - t) <= 1e-12 * t) return i;
    }
    return std::nullopt;
}

std::string presetUnavailableReason(const std::string& id, const AvssPreset& p, const StatsSettings& settings) {
    if (!collected(p.point, settings)) return id + " needs " + statisticsText(p.point) + ", which were not collected";
    const std::string missing = number(p.threshold) + ", which these statistics do not contain";
    switch (p.sparsity) {
        case Sparsity::Absolute:
            if (!thresholdIndex(settings.absThresholds, p.threshold)) return id + " needs the absolute near-zero threshold " + missing;
            break;
        case Sparsity::Relative:
            if (!thresholdIndex(settings.relThresholds, p.threshold)) return id + " needs the relative near-zero threshold " + missing;
            break;
        case Sparsity::ReferenceBatch:
            if (!thresholdIndex({settings.referenceEpsilon}, p.threshold)) {
                return id + " needs the authors' near-zero threshold " + number(p.threshold) +
                       ", but these statistics counted |a| < " + number(settings.referenceEpsilon);
            }
            break;
        case Sparsity::Hoyer: break;
    }
    return {};
}

// --- AVSS values ----------------------------------------------------------------------------------

const SiteStats& requireSite(const LayerStats& l, int layer, StatPoint p, const std::string& metric) {
    const auto& s = l.site(p);
    if (s.empty()) {
        throw UsageError({}, metric + ": layer " + std::to_string(layer) + " has no " + statPointName(p) + " statistics");
    }
    return s;
}

std::size_t requiredIndex(const std::vector<double>& list, double t) {
    if (const auto k = thresholdIndex(list, t)) return *k;
    throw std::logic_error("threshold " + number(t) + " missing: metricUnavailableReason was not consulted");
}

// Raw sparsity of one site, or a guard value when nothing was near zero (see docs/metrics.md).
struct SparsityValue {
    double raw = 0, used = 0;
    bool guarded = false;
};

SparsityValue guardedUnlessPositive(double raw, double elements) {
    return raw > 0 ? SparsityValue{raw, raw, false} : SparsityValue{0, 0.5 / elements, true};
}

SparsityValue sparsityOf(const AvssPreset& p, const SiteStats& s, const StatsSettings& settings) {
    const double elements = s.elements();
    switch (p.sparsity) {
        case Sparsity::Absolute:
            return guardedUnlessPositive(static_cast<double>(s.nearZeroAbs[requiredIndex(settings.absThresholds, p.threshold)]) / elements, elements);
        case Sparsity::Relative:
            return guardedUnlessPositive(static_cast<double>(s.nearZeroRel[requiredIndex(settings.relThresholds, p.threshold)]) / elements, elements);
        case Sparsity::Hoyer:
            return guardedUnlessPositive(s.hoyerSum / static_cast<double>(s.tokens), elements);
        case Sparsity::ReferenceBatch:
            return guardedUnlessPositive(s.refNearZeroSum / static_cast<double>(s.refBatches), elements / static_cast<double>(s.refBatches));
    }
    return {};
}

std::string guardNoteOf(const AvssPreset& p) {
    switch (p.sparsity) {
        case Sparsity::Hoyer: return "Hoyer sparsity 0 (every magnitude equal); sparsity set to half an element (0.5 / elements)";
        case Sparsity::ReferenceBatch: return "no near-zero element in any batch; sparsity set to half an element per batch";
        case Sparsity::Absolute:
        case Sparsity::Relative: break;
    }
    return "no near-zero element; sparsity set to half an element (0.5 / elements)";
}

AvssComponents componentsOf(const std::string& id, const AvssPreset& p, const ShardStats& st, const StatsSettings& settings) {
    const auto L = st.layers.size();
    AvssComponents c;
    c.variance.resize(L);
    c.sparsity.resize(L);
    c.sparsityUsed.resize(L);
    for (std::size_t l = 0; l < L; ++l) {
        const auto& s = requireSite(st.layers[l], static_cast<int>(l), p.point, id);
        c.variance[l] = p.variance == Variance::Channel ? s.channelVariance()
                                                        : s.refPooledVarSum / static_cast<double>(s.refBatches);
        const auto v = sparsityOf(p, s, settings);
        c.sparsity[l] = v.raw;
        c.sparsityUsed[l] = v.used;
        if (v.guarded) c.guardedLayers.push_back(static_cast<int>(l));
    }
    c.guardNote = guardNoteOf(p);
    c.normalise = p.normalise;
    return c;
}

MetricValues avssValues(const std::string& id, const AvssPreset& p, const ShardStats& st, const StatsSettings& settings) {
    const auto c = componentsOf(id, p, st, settings);
    const auto L = c.variance.size();
    double varSum = 0, spSum = 0;
    for (std::size_t l = 0; l < L; ++l) {
        varSum += c.variance[l];
        spSum += c.sparsityUsed[l];
    }
    MetricValues r;
    r.values.resize(L);
    for (std::size_t l = 0; l < L; ++l) {
        r.values[l] = p.normalise ? (c.variance[l] / varSum) / (c.sparsityUsed[l] / spSum) : c.variance[l] / c.sparsityUsed[l];
    }
    r.components = {{"variance", c.variance}, {"sparsity", c.sparsity}};
    r.guardedLayers = c.guardedLayers;
    r.guardNote = c.guardNote;
    return r;
}

// --- Baselines --------------------------------------------------------------------------------------

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

MetricValues blockInfluence(const ShardStats& st, const ScoreOptions&) {
    return perLayer(st, [](int, const LayerStats& l) { return 1.0 - transitionMean(l.transition, &TransitionStats::cosSum); });
}
MetricValues angularLastToken(const ShardStats& st, const ScoreOptions&) {
    return perLayer(st, [&](int l, const LayerStats&) { return st.spans.meanAngle(l, l + 1); });
}
MetricValues angularAllTokens(const ShardStats& st, const ScoreOptions&) {
    return perLayer(st, [](int, const LayerStats& l) { return transitionMean(l.transition, &TransitionStats::angleSum); });
}
MetricValues updateNorm(const ShardStats& st, const ScoreOptions&) {
    return perLayer(st, [](int, const LayerStats& l) { return transitionMean(l.transition, &TransitionStats::relUpdateSum); });
}
MetricValues layerNumber(const ShardStats& st, const ScoreOptions&) {
    return perLayer(st, [](int l, const LayerStats&) { return static_cast<double>(l); });
}
MetricValues seededUniform(const ShardStats& st, const ScoreOptions& options) {
    std::uint64_t state = options.seed;
    return perLayer(st, [&](int, const LayerStats&) { return uniform(state); });
}

// --- The table ----------------------------------------------------------------------------------------

MetricRow avssRow(const char* id, const char* name, const AvssPreset& p) {
    return {{id, name, avssFormula(p), statPointName(p.point), PruneOrder::LowFirst, true}, p, nullptr};
}

MetricRow baselineRow(const char* id, const char* name, const char* formula, const char* measured, PruneOrder order,
                      bool usesData, BaselineFn f) {
    return {{id, name, formula, measured, order, usesData}, std::nullopt, f};
}

const std::vector<MetricRow>& metricTable() {
    using P = StatPoint;
    using V = Variance;
    using S = Sparsity;
    constexpr auto kLow = PruneOrder::LowFirst;
    static const std::vector<MetricRow> kRows = {
        avssRow("avss-paper", "AVSS (paper)", {P::BlockOut, V::Channel, S::Absolute, 1e-5, true}),
        avssRow("avss-reference-code", "AVSS (authors' code)", {P::BlockOut, V::ReferencePooled, S::ReferenceBatch, 1e-5, false}),
        avssRow("avss-rel", "AVSS, relative sparsity", {P::BlockOut, V::Channel, S::Relative, 0.05, true}),
        avssRow("avss-mlp", "AVSS on the MLP activation", {P::MlpAct, V::Channel, S::Relative, 0.05, true}),
        avssRow("avss-mlp-abs", "AVSS on the MLP activation, |a| < 1e-3", {P::MlpAct, V::Channel, S::Absolute, 1e-3, true}),
        avssRow("avss-mlp-hoyer", "AVSS on the MLP activation, Hoyer", {P::MlpAct, V::Channel, S::Hoyer, 0, true}),
        baselineRow("bi", "Block Influence (ShortGPT)", "1 − mean over tokens of cos(in, out)", "block_in→block_out", kLow, true,
                    &blockInfluence),
        baselineRow("angular", "Angular distance, last token (Gromov, n = 1)",
                    "mean over sequences of arccos(cos(h_ℓ[T], h_ℓ+1[T])) / π", "block_in→block_out", kLow, true, &angularLastToken),
        baselineRow("angular-all", "Angular distance, all tokens", "mean over tokens of arccos(cos(in, out)) / π",
                    "block_in→block_out", kLow, true, &angularAllTokens),
        baselineRow("update-norm", "Relative update norm", "mean over tokens of ‖out − in‖ / ‖in‖", "block_in→block_out", kLow,
                    true, &updateNorm),
        baselineRow("reverse", "Reverse order", "layer number; the last layers go first", "none", PruneOrder::HighFirst, false,
                    &layerNumber),
        baselineRow("random", "Random (seeded)", "uniform [0, 1) per layer from splitmix64(seed)", "none", kLow, false,
                    &seededUniform),
    };
    return kRows;
}

const MetricRow& rowOf(std::string_view id) {
    const auto& info = findMetric(id);  // UsageError naming the known ids
    for (const auto& row : metricTable()) {
        if (row.info.id == info.id) return row;
    }
    throw std::logic_error("metric '" + info.id + "' is registered but has no row");
}

}  // namespace

MetricValues metricValues(const MetricInfo& metric, const ShardStats& st, const StatsSettings& settings,
                          const ScoreOptions& options) {
    const auto& row = rowOf(metric.id);
    return row.avss ? avssValues(row.info.id, *row.avss, st, settings) : row.baseline(st, options);
}

AvssComponents avssComponents(std::string_view preset, const ShardStats& st, const StatsSettings& settings) {
    const auto& row = rowOf(preset);
    if (!row.avss) throw UsageError({}, "'" + std::string(preset) + "' is not an AVSS preset", "Use one of: " + avssPresetList() + ".");
    if (const auto why = presetUnavailableReason(row.info.id, *row.avss, settings); !why.empty()) throw UsageError({}, why);
    return componentsOf(row.info.id, *row.avss, st, settings);
}

bool isAvssPreset(std::string_view id) {
    for (const auto& row : metricTable()) {
        if (row.info.id == id) return row.avss.has_value();
    }
    return false;
}

std::string avssPresetList() {
    std::string out;
    for (const auto& row : metricTable()) {
        if (row.avss) out += (out.empty() ? "" : ", ") + row.info.id;
    }
    return out;
}

}  // namespace avss::analysis

namespace avss {

const std::vector<MetricInfo>& metricRegistry() {
    static const std::vector<MetricInfo> kMetrics = [] {
        std::vector<MetricInfo> infos;
        for (const auto& row : analysis::metricTable()) infos.push_back(row.info);
        return infos;
    }();
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
    for (const auto& m : measuredMetricRegistry()) {
        if (m.id == id) return m;
    }
    std::string known;
    for (const auto& m : metricRegistry()) known += (known.empty() ? "" : ", ") + m.id;
    throw UsageError({}, "unknown metric '" + std::string(id) + "' (known: " + known +
                             "; measured with forward passes: loo-ppl, sleb, iterative:<metric>)");
}

std::string metricUnavailableReason(std::string_view metric, const StatsSettings& settings) {
    if (isMeasuredMetric(metric)) {
        return std::string(metric) + " is measured with forward passes on calibration text, not computed from activation statistics";
    }
    const auto& row = analysis::rowOf(metric);
    return row.avss ? analysis::presetUnavailableReason(row.info.id, *row.avss, settings) : std::string{};
}

}  // namespace avss
