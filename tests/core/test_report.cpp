// buildScoreReport(): the one report `avss score` and the explorer both show. Which metrics it
// scores, which it lists as unavailable (and why), which get plans, and what the JSON carries.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "avss/error.h"
#include "avss/score_report.h"
#include "core/test_stats_fixtures.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

ActivationStats sample(std::vector<double> absThresholds = {1e-5, 1e-4, 1e-3, 1e-2}) {
    std::vector<test::LayerSpec> layers(8);
    for (int l = 0; l < 8; ++l) layers[l].variance = 1.0 + 0.3 * l, layers[l].nearZero = 1 + (l * 5) % 7, layers[l].cos = 0.9 - 0.01 * l;
    auto st = test::handStats(layers, 3);
    st.provenance.options.settings.absThresholds = absThresholds;
    for (auto& sh : st.shards) {
        for (auto& l : sh.layers) {
            l.blockOut.nearZeroAbs.resize(absThresholds.size(), 3);
            l.mlpAct.nearZeroAbs.resize(absThresholds.size(), 3);
        }
    }
    return st;
}

const LayerScores* find(const ScoreReport& r, const std::string& id) {
    for (const auto& s : r.scores) {
        if (s.metric == id) return &s;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("by default every registered metric is scored, in registry order", "[report]") {
    const auto r = buildScoreReport(sample());
    REQUIRE(r.scores.size() == metricIds().size());
    for (std::size_t i = 0; i < r.scores.size(); ++i) CHECK(r.scores[i].metric == metricIds()[i]);
    CHECK(r.unavailable.empty());
    CHECK(r.plans.size() == r.scores.size());  // the default fraction rule plans every metric
    REQUIRE(r.spans);
    CHECK(r.spans->length == 2);  // ⌊8 / 4⌋
}

TEST_CASE("metrics the statistics cannot score are listed with the reason, or refused when named", "[report]") {
    const auto st = sample({1e-4, 1e-2});  // no 1e-5 (avss-paper) and no 1e-3 (avss-mlp-abs)
    const auto r = buildScoreReport(st);
    REQUIRE(r.unavailable.size() == 2);
    CHECK(r.unavailable[0].metric == "avss-paper");
    CHECK_THAT(r.unavailable[0].reason, Contains("1e-05"));
    CHECK(r.unavailable[1].metric == "avss-mlp-abs");
    CHECK(find(r, "avss-paper") == nullptr);
    CHECK(find(r, "bi") != nullptr);
    CHECK(r.unavailable[0].reason == metricUnavailableReason("avss-paper", st.provenance.options.settings));
    ScoreReportOptions named;
    named.metrics = {"bi", "avss-paper"};
    CHECK_THROWS_AS(buildScoreReport(st, named), UsageError);
    named.metrics = {"bi"};
    CHECK(buildScoreReport(st, named).scores.size() == 1);
}

TEST_CASE("mass rules plan only metrics pruned from the low end", "[report]") {
    ScoreReportOptions o;
    o.rule.kind = RuleKind::Mass;
    o.rule.mass = 0.2;
    const auto r = buildScoreReport(sample(), o);
    for (const auto& p : r.plans) CHECK(findMetric(p.metric).order == PruneOrder::LowFirst);
    CHECK(r.plans.size() + 1 == r.scores.size());  // "reverse" prunes high values first
}

TEST_CASE("the JSON report carries the analysis key, engine version and unavailable metrics", "[report]") {
    const auto st = sample({1e-4});
    const auto j = nlohmann::json::parse(scoreReportJson(buildScoreReport(st)));
    CHECK(j["schema_version"] == kScoreReportSchemaVersion);
    CHECK(j["provenance"]["analysis_key"] == provenanceKey(st.provenance));
    CHECK(j["provenance"]["engine_version"] == st.provenance.engineVersion);
    REQUIRE(j["unavailable_metrics"].size() == 2);
    CHECK(j["unavailable_metrics"][0]["id"] == "avss-paper");
}
