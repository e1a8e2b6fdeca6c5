// Metric presets, guards, ranks and rank stability on hand-made accumulators. Torch-free.
#include <catch2/catch.hpp>

#include <cmath>

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
