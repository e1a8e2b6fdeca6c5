// scoreHallucination(): HSAV, HSS and EAVSS from an AVSS preset's components on both sides, for
// all shards merged and for each shard; ranked by the same code as every layer metric.
#include "avss/hallu_scores.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <limits>

#include "analysis/metrics.h"
#include "avss/error.h"

namespace avss {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Values {
    analysis::MetricValues eavss, hsav, hss;
};

std::vector<double> overSum(const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    std::vector<double> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[i] / sum;
    return out;
}

std::vector<double> ratio(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> out(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) out[i] = b[i] > 0 ? a[i] / b[i] : kNaN;
    return out;
}

std::vector<int> unionOf(std::vector<int> a, const std::vector<int>& b) {
    a.insert(a.end(), b.begin(), b.end());
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    return a;
}

StatPoint pointOf(const std::string& base) {
    return findMetric(base).measured == statPointName(StatPoint::MlpAct) ? StatPoint::MlpAct : StatPoint::BlockOut;
}

// Mean over channels of |μ_H − μ_T| / √((σ²_H + σ²_T) / 2): how far apart the two sides sit.
std::vector<double> meanShift(const ShardStats& t, const ShardStats& h, StatPoint point) {
    std::vector<double> out;
    for (std::size_t l = 0; l < t.layers.size(); ++l) {
        const auto& a = t.layers[l].site(point);
        const auto& b = h.layers[l].site(point);
        if (a.empty() || b.empty()) {
            out.push_back(kNaN);
            continue;
        }
        double sum = 0;
        int channels = 0;
        for (int c = 0; c < a.width(); ++c) {
            const double va = a.m2[static_cast<std::size_t>(c)] / static_cast<double>(a.tokens);
            const double vb = b.m2[static_cast<std::size_t>(c)] / static_cast<double>(b.tokens);
            const double pooled = std::sqrt((va + vb) / 2);
            if (pooled <= 0) continue;  // a constant channel separates nothing
            sum += std::abs(b.mean[static_cast<std::size_t>(c)] - a.mean[static_cast<std::size_t>(c)]) / pooled;
            ++channels;
        }
        out.push_back(channels > 0 ? sum / channels : kNaN);
    }
    return out;
}

Values valuesOf(const HalluVariant& variant, const std::string& base, const ShardStats& t, const ShardStats& h,
                const StatsSettings& settings) {
    Values v;
    if (variant.id == "shift") {
        v.eavss.values = meanShift(t, h, pointOf(base));
        return v;
    }
    const auto ct = analysis::avssComponents(base, t, settings);
    const auto ch = analysis::avssComponents(base, h, settings);
    if (variant.id == "hallucinated") {
        v.hsav.values = ct.normalise ? overSum(ch.variance) : ch.variance;
        v.hss.values = ct.normalise ? overSum(ch.sparsityUsed) : ch.sparsityUsed;
        v.hsav.guardedLayers = v.hss.guardedLayers = ch.guardedLayers;
    } else {  // ratio
        v.hsav.values = ratio(ch.variance, ct.variance);
        v.hss.values = ratio(ch.sparsityUsed, ct.sparsityUsed);
        v.hsav.guardedLayers = v.hss.guardedLayers = unionOf(ct.guardedLayers, ch.guardedLayers);
    }
    v.hss.guardNote = v.eavss.guardNote = ct.guardNote;
    v.eavss.guardedLayers = v.hss.guardedLayers;
    const auto hsav = ct.normalise ? overSum(v.hsav.values) : v.hsav.values;
    const auto hss = ct.normalise ? overSum(v.hss.values) : v.hss.values;
    v.eavss.values = ratio(hsav, hss);
    v.eavss.components = {{"variance_truthful", ct.variance}, {"variance_hallucinated", ch.variance},
                          {"sparsity_truthful", ct.sparsity}, {"sparsity_hallucinated", ch.sparsity}};
    return v;
}

void checkSides(const HalluStats& s) {
    if (s.truthful.shards.empty() || s.hallucinated.shards.empty()) throw UsageError({}, "no hallucination statistics to score");
    if (s.truthful.layerCount() != s.hallucinated.layerCount() || s.truthful.shards.size() != s.hallucinated.shards.size()) {
        throw UsageError({}, "the truthful and hallucinated statistics differ in layers or shards; they are not one analysis");
    }
}

double perAnswer(const ActivationStats& s) {
    return s.provenance.sequences > 0 ? static_cast<double>(s.provenance.tokens) / s.provenance.sequences : kNaN;
}

}  // namespace

const std::vector<HalluVariant>& halluVariants() {
    static const std::vector<HalluVariant> kVariants = {
        {"ratio", "EAVSS, hallucinated over truthful",
         "HSAV = σ²_H/σ²_T, HSS = S_H/S_T, EAVSS = (HSAV/ΣHSAV) / (HSS/ΣHSS); σ², S from the base preset", true},
        {"hallucinated", "EAVSS on hallucinated answers only",
         "HSAV = σ²_H/Σσ²_H, HSS = S_H/ΣS_H, EAVSS = HSAV/HSS (the base preset's AVSS of hallucinated answers)", true},
        {"shift", "Mean shift between the sides (control)",
         "mean over channels of |μ_H − μ_T| / √((σ²_H + σ²_T)/2) on the base preset's tensor", false},
    };
    return kVariants;
}

const HalluVariant& findHalluVariant(std::string_view id) {
    for (const auto& v : halluVariants()) {
        if (v.id == id) return v;
    }
    throw UsageError({}, "unknown EAVSS variant '" + std::string(id) + "'", "Use ratio, hallucinated or shift.");
}

HalluScores scoreHallucination(const HalluStats& stats, const HalluScoreOptions& options) {
    const auto& variant = findHalluVariant(options.variant);
    if (!analysis::isAvssPreset(options.base)) {
        throw UsageError({}, "the EAVSS base '" + options.base + "' is not an AVSS preset", "Use one of: " + analysis::avssPresetList() + ".");
    }
    checkSides(stats);
    const auto& settings = stats.truthful.provenance.options.settings;
    const auto all = valuesOf(variant, options.base, stats.truthful.merged(), stats.hallucinated.merged(), settings);
    const int L = stats.truthful.layerCount();
    const int k = options.topK >= 0 ? std::min(options.topK, L) : L / 4;
    std::vector<Values> shards;
    for (std::size_t s = 0; s < stats.truthful.shards.size(); ++s) {
        shards.push_back(valuesOf(variant, options.base, stats.truthful.shards[s], stats.hallucinated.shards[s], settings));
    }
    const auto rank = [&](const std::string& id, analysis::MetricValues Values::*which) {
        std::vector<analysis::MetricValues> perShard;
        for (const auto& v : shards) perShard.push_back(v.*which);
        return analysis::rankLayers(id, PruneOrder::HighFirst, true, all.*which, perShard, k);
    };
    HalluScores out;
    out.variant = variant.id;
    out.base = options.base;
    out.eavss = rank("eavss-" + variant.id, &Values::eavss);
    if (variant.hasComponents) {
        out.hsav = rank("hsav-" + variant.id, &Values::hsav);
        out.hss = rank("hss-" + variant.id, &Values::hss);
    }
    out.selected = out.eavss.bottomSet;
    std::sort(out.selected.begin(), out.selected.end());
    out.truthfulTokensPerAnswer = perAnswer(stats.truthful);
    out.hallucinatedTokensPerAnswer = perAnswer(stats.hallucinated);
    out.warnings = out.eavss.warnings;
    const double lengths = out.hallucinatedTokensPerAnswer / out.truthfulTokensPerAnswer;
    if (lengths > 1.5 || lengths < 1 / 1.5) {
        std::ostringstream o;
        o << std::fixed << std::setprecision(1) << "hallucinated answers average " << out.hallucinatedTokensPerAnswer
          << " tokens and truthful ones " << out.truthfulTokensPerAnswer
          << ": length alone may separate the sides (collect with length matching to remove it)";
        out.warnings.push_back(o.str());
    }
    return out;
}

HalluAgreement compareHallucination(const HalluScores& a, const HalluScores& b) {
    if (a.eavss.layers.size() != b.eavss.layers.size()) throw UsageError({}, "the two hallucination analyses have different layer counts");
    std::vector<double> va, vb;
    for (const auto& l : a.eavss.layers) va.push_back(l.value);
    for (const auto& l : b.eavss.layers) vb.push_back(l.value);
    return {kendallTauB(va, vb), jaccard(a.selected, b.selected)};
}

}  // namespace avss
