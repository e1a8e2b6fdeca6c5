// Metric presets, guards, ranks and rank stability on hand-made accumulators. Torch-free.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "avss/error.h"
#include "avss/layer_scores.h"
#include "core/test_stats_fixtures.h"

using namespace avss;
using Catch::Matchers::Contains;
using test::LayerSpec;

namespace {

std::vector<LayerSpec> fourLayers() {
    std::vector<LayerSpec> v(4);
    const double var[] = {1, 4, 2, 8};
    const std::int64_t nz[] = {10, 40, 5, 20};
    for (int l = 0; l < 4; ++l) {
        v[l].variance = var[l];
        v[l].nearZero = nz[l];
        v[l].refVariance = var[l] * 3;
        v[l].refSparsity = 0.01 * (l + 1);
        v[l].cos = 0.5 + 0.1 * l;
        v[l].lastAngle = 0.4 - 0.1 * l;
    }
    return v;
}

std::vector<int> ranks(const LayerScores& s) {
    std::vector<int> r;
    for (const auto& l : s.layers) r.push_back(l.rank);
    return r;
}

}  // namespace

TEST_CASE("avss-paper is normalised variance over normalised |a| < 1e-5 sparsity", "[scores]") {
    const auto st = test::handStats(fourLayers());
    const auto s = scoreLayers(st, "avss-paper");
    const double var[] = {1, 4, 2, 8}, sp[] = {10, 40, 5, 20};
    for (int l = 0; l < 4; ++l) CHECK(s.layers[l].value == Approx((var[l] / 15.0) / (sp[l] / 75.0)).epsilon(1e-12));
    // values: 0.5, 0.5, 2, 2 → ties broken by layer number
    CHECK(s.pruneOrder == std::vector<int>{0, 1, 2, 3});
    CHECK(s.bottomSet == std::vector<int>{0});  // ⌊4/4⌋ = 1
    CHECK(s.warnings.empty());
    REQUIRE(s.components.size() == 2);
    CHECK(s.components[0].name == "variance");
    CHECK(s.components[1].values[1] == Approx(40.0 / (test::kTokens * test::kWidth)));
}

TEST_CASE("avss-reference-code is the raw ratio of batch-mean pooled variance and batch-mean sparsity", "[scores]") {
    const auto s = scoreLayers(test::handStats(fourLayers()), "avss-reference-code");
    for (int l = 0; l < 4; ++l) CHECK(s.layers[l].value == Approx((3.0 * std::vector<double>{1, 4, 2, 8}[l]) / (0.01 * (l + 1))));
    CHECK(ranks(s) == std::vector<int>{1, 2, 0, 3});  // 300, 600, 200, 600
}

TEST_CASE("robust presets use their own sparsity", "[scores]") {
    const auto st = test::handStats(fourLayers());
    // Every near-zero count is the same in the fixture, so rel/mlp presets equal the paper formula…
    const auto paper = scoreLayers(st, "avss-paper");
    for (const char* id : {"avss-rel", "avss-mlp", "avss-mlp-abs"}) {
        const auto s = scoreLayers(st, id);
        for (int l = 0; l < 4; ++l) CHECK(s.layers[l].value == Approx(paper.layers[l].value));
    }
    // …and Hoyer uses hoyerSum / tokens (= nearZero / 100 in the fixture): the same ratios again.
    const auto h = scoreLayers(st, "avss-mlp-hoyer");
    for (int l = 0; l < 4; ++l) CHECK(h.layers[l].value == Approx(paper.layers[l].value));
}

TEST_CASE("a zero-sparsity layer gets a finite guarded score and a warning", "[scores]") {
    auto layers = fourLayers();
    layers[2].nearZero = 0;
    layers[2].refSparsity = 0;
    const auto st = test::handStats(layers, 2);
    for (const char* id : {"avss-paper", "avss-reference-code", "avss-rel"}) {
        const auto s = scoreLayers(st, id);
        INFO(id);
        for (const auto& l : s.layers) {
            CHECK(std::isfinite(l.value));
            CHECK(std::isfinite(l.mean));
            CHECK(std::isfinite(l.sd));
        }
        CHECK(s.layers[2].rank == 3);  // "infinitely important" stays last to prune
        REQUIRE_FALSE(s.warnings.empty());
        CHECK_THAT(s.warnings.front(), Contains("layers 2") && Contains("half an element"));
    }
    const auto paper = scoreLayers(st, "avss-paper");
    const double elements = 2.0 * test::kTokens * test::kWidth;  // two shards merged
    const double guard = 0.5 / elements;
    const double spSum = (2 * (10 + 40 + 20)) / elements + guard;
    CHECK(paper.layers[2].value == Approx((2.0 / 15.0) / (guard / spSum)));
    const auto ref = scoreLayers(st, "avss-reference-code");
    CHECK(ref.layers[2].value == Approx(6.0 / (0.5 / (elements / 4))));  // half an element per batch (4 batches)
    CHECK(paper.guardedLayers == std::vector<int>{2});
    CHECK_THAT(paper.guardNote, Contains("half an element"));
    CHECK(scoreLayers(test::handStats(fourLayers()), "avss-paper").guardedLayers.empty());
    CHECK(scoreLayers(st, "bi").guardedLayers.empty());
}

TEST_CASE("baselines: Block Influence, angular distances, update norm, reverse, random", "[scores]") {
    const auto st = test::handStats(fourLayers());
    const auto bi = scoreLayers(st, "bi");
    for (int l = 0; l < 4; ++l) CHECK(bi.layers[l].value == Approx(1.0 - (0.5 + 0.1 * l)));
    CHECK(bi.pruneOrder == std::vector<int>{3, 2, 1, 0});
    const auto ang = scoreLayers(st, "angular");
    for (int l = 0; l < 4; ++l) CHECK(ang.layers[l].value == Approx(0.4 - 0.1 * l));
    CHECK(scoreLayers(st, "angular-all").layers[1].value == Approx(0.1));
    CHECK(scoreLayers(st, "update-norm").layers[1].value == Approx(0.2));
    const auto rev = scoreLayers(st, "reverse");
    CHECK(rev.pruneOrder == std::vector<int>{3, 2, 1, 0});
    CHECK_FALSE(rev.stability.applicable);
    ScoreOptions seed1, seed2;
    seed1.seed = 1;
    seed2.seed = 2;
    const auto r1 = scoreLayers(st, "random", seed1), r1b = scoreLayers(st, "random", seed1), r2 = scoreLayers(st, "random", seed2);
    CHECK(r1.pruneOrder == r1b.pruneOrder);
    CHECK(r1.layers[0].value != r2.layers[0].value);
    CHECK(r1.seed == 1);
    for (const auto& l : r1.layers) CHECK((l.value >= 0 && l.value < 1));
}

TEST_CASE("Gromov spans: d(l, n) for every start", "[scores]") {
    const auto st = test::handStats(fourLayers());
    const auto sp = scoreSpans(st, 2);
    REQUIRE(sp.starts.size() == 3);
    for (int l = 0; l < 3; ++l) CHECK(sp.starts[l].value == Approx(2 * (0.4 - 0.1 * l)));
    CHECK(sp.starts[2].rank == 0);
    CHECK_THROWS_AS(scoreSpans(st, 4), UsageError);
    CHECK_THROWS_AS(scoreSpans(st, 0), UsageError);
}

TEST_CASE("spread across shards and rank stability", "[scores]") {
    auto a = fourLayers(), b = fourLayers();
    SECTION("identical shards: sd 0, tau 1, the lowest set never changes") {
        const auto s = scoreLayers(test::handStats(a, 3), "bi");
        CHECK(s.stability.applicable);
        CHECK(s.stability.kendallTauMean == Approx(1.0));
        CHECK(s.stability.bottomSetChangedFraction == 0.0);
        CHECK(s.stability.bottomSetJaccardMean == 1.0);
        for (const auto& l : s.layers) CHECK(l.sd == Approx(0.0).margin(1e-15));
        CHECK(s.layers[3].bottomFrequency == 1.0);
    }
    SECTION("shards that disagree") {
        b[0].cos = 0.95;  // in shard b, layer 0 is the least influential
        const auto s = scoreLayers(test::handStats(a, 0, {a, b}), "bi");
        CHECK(s.layers[0].sd > 0);
        CHECK(s.layers[0].mean == Approx(1 - (0.5 + 0.95) / 2));
        CHECK(s.stability.kendallTauMean < 1.0);
        CHECK(s.stability.bottomSetChangedFraction == Approx(0.5));
        CHECK(s.layers[0].bottomFrequency == Approx(0.5));
    }
    SECTION("one shard: no spread") {
        const auto s = scoreLayers(test::handStats(a, 1), "bi");
        CHECK_FALSE(s.stability.applicable);
        CHECK(std::isnan(s.layers[0].sd));
    }
}

TEST_CASE("Kendall tau-b and Jaccard", "[scores]") {
    CHECK(kendallTauB({1, 2, 3, 4}, {1, 2, 3, 4}) == Approx(1));
    CHECK(kendallTauB({1, 2, 3, 4}, {4, 3, 2, 1}) == Approx(-1));
    CHECK(kendallTauB({1, 2, 3, 4}, {1, 3, 2, 4}) == Approx(4.0 / 6.0));
    CHECK(kendallTauB({1, 1, 2}, {1, 2, 3}) == Approx(2.0 / std::sqrt(6.0)));
    CHECK(std::isnan(kendallTauB({1}, {1})));
    CHECK(jaccard({1, 2, 3}, {3, 2, 1}) == 1.0);
    CHECK(jaccard({1, 2}, {2, 3}) == Approx(1.0 / 3.0));
    CHECK(jaccard({}, {}) == 1.0);
}

TEST_CASE("metric agreement compares prune orders", "[scores]") {
    const auto st = test::handStats(fourLayers());
    const auto agree = compareMetrics({scoreLayers(st, "bi"), scoreLayers(st, "reverse"), scoreLayers(st, "avss-reference-code")});
    CHECK(agree.kendallTau[0][1] == Approx(1.0));  // BI falls with depth here, so it prunes like reverse
    CHECK(agree.jaccard[0][1] == 1.0);
    // prune orders {3,2,1,0} and {2,0,1,3}: 2 concordant, 4 discordant pairs
    CHECK(agree.kendallTau[0][2] == Approx(-1.0 / 3.0));
    CHECK(agree.kendallTau[2][0] == agree.kendallTau[0][2]);
    CHECK(agree.jaccard[0][2] == 0.0);
}

TEST_CASE("unknown metrics and missing statistics are usage errors", "[scores]") {
    auto st = test::handStats(fourLayers());
    CHECK_THROWS_WITH(scoreLayers(st, "avss-magic"), Contains("unknown metric") && Contains("avss-paper") && Contains("bi"));
    st.provenance.options.settings.absThresholds = {1e-3};
    for (auto& sh : st.shards) {
        for (auto& l : sh.layers) l.blockOut.nearZeroAbs = l.mlpAct.nearZeroAbs = {10};
    }
    CHECK_THROWS_WITH(scoreLayers(st, "avss-paper"), Contains("1e-05"));
    CHECK_NOTHROW(scoreLayers(st, "avss-mlp-abs"));
    ActivationStats none;
    CHECK_THROWS_AS(scoreLayers(none, "bi"), UsageError);
}

TEST_CASE("settings alone tell which metrics can be scored, and scoreLayers gives the same reason", "[scores]") {
    const StatsSettings defaults;
    for (const auto& id : metricIds()) CHECK(metricUnavailableReason(id, defaults).empty());
    CHECK_THROWS_WITH(metricUnavailableReason("avss-magic", defaults), Contains("unknown metric"));
    auto st = test::handStats(fourLayers());
    auto& settings = st.provenance.options.settings;
    settings.absThresholds = {1e-4, 1e-2};
    settings.relThresholds = {0.01};
    settings.referenceEpsilon = 1e-4;
    CHECK(metricUnavailableReason("avss-paper", settings) ==
          "avss-paper needs the absolute near-zero threshold 1e-05, which these statistics do not contain");
    CHECK_THAT(metricUnavailableReason("avss-mlp-abs", settings), Contains("absolute near-zero threshold 0.001"));
    CHECK_THAT(metricUnavailableReason("avss-rel", settings), Contains("relative near-zero threshold 0.05"));
    CHECK_THAT(metricUnavailableReason("avss-mlp", settings), Contains("avss-mlp needs"));
    CHECK_THAT(metricUnavailableReason("avss-reference-code", settings), Contains("1e-05") && Contains("counted |a| < 0.0001"));
    for (const char* id : {"avss-mlp-hoyer", "bi", "angular", "reverse"}) CHECK(metricUnavailableReason(id, settings).empty());
    CHECK_THROWS_AS(scoreLayers(st, "avss-rel"), UsageError);
    CHECK_THROWS_WITH(scoreLayers(st, "avss-reference-code"), Contains(metricUnavailableReason("avss-reference-code", settings)));
}

TEST_CASE("AVSS formula text is generated from the preset", "[scores]") {
    CHECK(metricIds() == std::vector<std::string>{"avss-paper", "avss-reference-code", "avss-rel", "avss-mlp", "avss-mlp-abs",
                                                  "avss-mlp-hoyer", "bi", "angular", "angular-all", "update-norm", "reverse", "random"});
    CHECK(findMetric("avss-paper").formula ==
          "(σ²ℓ/Σσ²) / (Sℓ/ΣS) of the block output; σ² = mean over channels of the variance across tokens; S = share of |a| < 1e-05");
    CHECK_THAT(findMetric("avss-reference-code").formula, Contains("V/S of the block output") && Contains("batch mean of share |a| < 1e-05"));
    CHECK_THAT(findMetric("avss-rel").formula, Contains("|a| < 0.05 · RMS(token)"));
    CHECK_THAT(findMetric("avss-mlp-abs").formula, Contains("of act(gate)·up") && Contains("|a| < 0.001"));
    CHECK_THAT(findMetric("avss-mlp-hoyer").formula, Contains("(Hℓ/ΣH)") && Contains("Hoyer"));
    CHECK(findMetric("avss-mlp-abs").name == "AVSS on the MLP activation, |a| < 1e-3");
}

TEST_CASE("every registered metric has a formula and scores hand-made statistics", "[scores]") {
    const auto st = test::handStats(fourLayers(), 2);
    for (const auto& m : metricRegistry()) {
        INFO(m.id);
        CHECK_FALSE(m.formula.empty());
        const auto s = scoreLayers(st, m.id);
        CHECK(s.layers.size() == 4);
        for (const auto& l : s.layers) CHECK(std::isfinite(l.value));
    }
}

// --- Which site and which threshold each AVSS preset reads (docs/metrics.md §3) ---------------
// The fixture gives block_out and mlp_act different variances, widths and near-zero counts, and
// every threshold its own counts (not proportional across layers), so each (site, sparsity)
// choice yields a different score vector: a preset reading the wrong one fails.
namespace {

struct SiteSpec {
    double variance;                      // channel variance (mean over channels of m2 / tokens)
    std::vector<std::int64_t> abs, rel;   // near-zero counts per default abs / rel threshold
    double hoyerMean;                     // mean Hoyer sparsity per token
    double refVariance, refSparsity;      // the authors' per-batch pooled variance and |a| < 1e-5 share
};

SiteStats pinnedSite(const SiteSpec& s, int width) {
    SiteStats site;
    site.tokens = test::kTokens;
    site.mean.assign(static_cast<std::size_t>(width), 0.25);
    for (int w = 0; w < width; ++w) site.m2.push_back(s.variance * test::kTokens * (0.5 + static_cast<double>(w) / (width - 1)));
    site.nearZeroAbs = s.abs;
    site.nearZeroRel = s.rel;
    site.hoyerSum = s.hoyerMean * test::kTokens;
    site.pooledSamples = 4;
    site.pooledVarSum = 4 * (s.refVariance + 5);  // the unbatched pooled variance: read by no preset
    site.refBatches = 2;
    site.refPooledVarSum = 2 * s.refVariance;
    site.refNearZeroSum = 2 * s.refSparsity;
    return site;
}

constexpr int kBlockWidth = 4, kMlpWidth = 8;

// Four layers; abs thresholds 1e-5, 1e-4, 1e-3, 1e-2 and rel thresholds 0.01, 0.05, 0.1 (the defaults).
const std::vector<SiteSpec> kBlockOut = {
    {1.0, {2, 9, 30, 120}, {11, 50, 100}, 0.30, 3.0, 0.010},
    {4.0, {7, 12, 60, 90}, {4, 70, 130}, 0.45, 1.0, 0.030},
    {2.0, {1, 20, 25, 200}, {16, 35, 160}, 0.20, 7.0, 0.020},
    {8.0, {5, 6, 80, 150}, {9, 60, 110}, 0.60, 2.0, 0.050},
};
const std::vector<SiteSpec> kMlpAct = {
    {3.0, {3, 15, 100, 300}, {20, 200, 400}, 0.50, 6.0, 0.040},
    {1.0, {10, 40, 70, 400}, {50, 120, 300}, 0.30, 4.0, 0.010},
    {6.0, {6, 8, 150, 350}, {10, 250, 350}, 0.70, 1.0, 0.060},
    {2.0, {1, 30, 90, 500}, {40, 90, 450}, 0.40, 9.0, 0.020},
};

ActivationStats pinnedStats() {
    auto st = test::handStats(fourLayers());
    st.provenance.hiddenSize = kBlockWidth;
    st.provenance.ffnSize = kMlpWidth;
    for (std::size_t l = 0; l < 4; ++l) {
        st.shards[0].layers[l].blockOut = pinnedSite(kBlockOut[l], kBlockWidth);
        st.shards[0].layers[l].mlpAct = pinnedSite(kMlpAct[l], kMlpWidth);
    }
    return st;
}

// One way to read a site: its variance and one sparsity ('a' abs[k], 'r' rel[k], 'h' Hoyer).
struct Reading {
    std::string site;
    char kind;
    std::size_t k;
};

std::string describe(const Reading& r) { return r.site + (r.kind == 'a' ? " abs[" : r.kind == 'r' ? " rel[" : " hoyer[") + std::to_string(r.k) + "]"; }

// (σ²ℓ/Σσ²) / (Sℓ/ΣS), written out from the fixture's numbers.
std::vector<double> byHand(const Reading& r) {
    const auto& specs = r.site == "block_out" ? kBlockOut : kMlpAct;
    const double elements = test::kTokens * (r.site == "block_out" ? kBlockWidth : kMlpWidth);
    std::vector<double> var, sp;
    for (const auto& s : specs) {
        var.push_back(s.variance);
        sp.push_back(r.kind == 'a' ? s.abs[r.k] / elements : r.kind == 'r' ? s.rel[r.k] / elements : s.hoyerMean);
    }
    double varSum = 0, spSum = 0;
    for (std::size_t l = 0; l < var.size(); ++l) varSum += var[l], spSum += sp[l];
    std::vector<double> out;
    for (std::size_t l = 0; l < var.size(); ++l) out.push_back((var[l] / varSum) / (sp[l] / spSum));
    return out;
}

bool sameValues(const LayerScores& s, const std::vector<double>& want) {
    for (std::size_t l = 0; l < want.size(); ++l) {
        if (std::abs(s.layers[l].value - want[l]) > 1e-12 * std::abs(want[l])) return false;
    }
    return true;
}

std::vector<Reading> everyReading() {
    std::vector<Reading> all;
    for (const char* site : {"block_out", "mlp_act"}) {
        for (std::size_t k = 0; k < 4; ++k) all.push_back({site, 'a', k});
        for (std::size_t k = 0; k < 3; ++k) all.push_back({site, 'r', k});
        all.push_back({site, 'h', 0});
    }
    return all;
}

}  // namespace

TEST_CASE("each normalised AVSS preset reads exactly its documented site and threshold", "[scores][presets]") {
    const auto st = pinnedStats();
    const std::vector<std::pair<std::string, Reading>> documented = {
        {"avss-paper", {"block_out", 'a', 0}},      // |a| < 1e-5
        {"avss-rel", {"block_out", 'r', 1}},        // |a| < 0.05 · RMS
        {"avss-mlp", {"mlp_act", 'r', 1}},          // |a| < 0.05 · RMS
        {"avss-mlp-abs", {"mlp_act", 'a', 2}},      // |a| < 1e-3
        {"avss-mlp-hoyer", {"mlp_act", 'h', 0}},    // Hoyer
    };
    for (const auto& [id, reading] : documented) {
        INFO(id);
        const auto s = scoreLayers(st, id);
        CHECK(findMetric(id).measured == reading.site);
        for (const auto& other : everyReading()) {
            INFO("reading " << describe(other));
            const bool isDocumented = other.site == reading.site && other.kind == reading.kind && other.k == reading.k;
            CHECK(sameValues(s, byHand(other)) == isDocumented);
        }
        // The raw ingredients are the site's own channel variance and near-zero share.
        REQUIRE(s.components.size() == 2);
        const auto& specs = reading.site == "block_out" ? kBlockOut : kMlpAct;
        for (std::size_t l = 0; l < 4; ++l) CHECK(s.components[0].values[l] == Approx(specs[l].variance).epsilon(1e-12));
    }
}

TEST_CASE("avss-reference-code reads block_out's per-batch pooled variance and |a| < 1e-5 share", "[scores][presets]") {
    const auto s = scoreLayers(pinnedStats(), "avss-reference-code");
    for (std::size_t l = 0; l < 4; ++l) {
        INFO("layer " << l);
        const double want = kBlockOut[l].refVariance / kBlockOut[l].refSparsity;  // raw ratio, no normalisation
        CHECK(s.layers[l].value == Approx(want).epsilon(1e-12));
        CHECK(s.layers[l].value != Approx(kMlpAct[l].refVariance / kMlpAct[l].refSparsity).epsilon(1e-3));
        CHECK(s.layers[l].value != Approx(kBlockOut[l].variance / kBlockOut[l].refSparsity).epsilon(1e-3));
        CHECK(s.layers[l].value != Approx((kBlockOut[l].refVariance + 5) / kBlockOut[l].refSparsity).epsilon(1e-3));
    }
    CHECK_FALSE(sameValues(s, byHand({"block_out", 'a', 0})));
}

TEST_CASE("presets find their threshold by value, not by position in the settings", "[scores][presets]") {
    const auto st = pinnedStats();
    auto shuffled = st;  // the same counts with both threshold lists reversed
    auto& settings = shuffled.provenance.options.settings;
    std::reverse(settings.absThresholds.begin(), settings.absThresholds.end());
    std::reverse(settings.relThresholds.begin(), settings.relThresholds.end());
    for (auto& layer : shuffled.shards[0].layers) {
        for (auto* site : {&layer.blockOut, &layer.mlpAct}) {
            std::reverse(site->nearZeroAbs.begin(), site->nearZeroAbs.end());
            std::reverse(site->nearZeroRel.begin(), site->nearZeroRel.end());
        }
    }
    for (const char* id : {"avss-paper", "avss-rel", "avss-mlp", "avss-mlp-abs"}) {
        INFO(id);
        const auto a = scoreLayers(st, id), b = scoreLayers(shuffled, id);
        for (std::size_t l = 0; l < 4; ++l) CHECK(b.layers[l].value == Approx(a.layers[l].value).epsilon(1e-12));
    }
}
