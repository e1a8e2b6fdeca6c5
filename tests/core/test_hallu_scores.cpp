// HSAV, HSS and EAVSS on hand-made statistics: every value follows by arithmetic from the chosen
// variances, near-zero counts and means (tests/core/test_stats_fixtures.h).
#include <catch2/catch.hpp>

#include <cmath>

#include "avss/error.h"
#include "avss/hallu_report.h"
#include "avss/hallu_scores.h"
#include "avss/mitigation.h"
#include "core/test_stats_fixtures.h"
#include "support/temp_dir.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

// Truthful: variances 1, 2 and 10, 20 near-zero elements; hallucinated: 2, 2 and 10, 40.
HalluStats handPair(int shards = 2) {
    HalluStats s{test::handStats({{1.0, 10}, {2.0, 20}}, shards), test::handStats({{2.0, 10}, {2.0, 40}}, shards)};
    for (auto* st : {&s.truthful, &s.hallucinated}) st->provenance.sequences = 10;
    s.truthful.provenance.tokens = 30;      // 3 tokens per answer
    s.hallucinated.provenance.tokens = 40;  // 4
    return s;
}

std::vector<double> values(const LayerScores& s) {
    std::vector<double> v;
    for (const auto& l : s.layers) v.push_back(l.value);
    return v;
}

}  // namespace

TEST_CASE("ratio: HSAV and HSS are hallucinated over truthful, EAVSS their layer-normalised quotient", "[hallu]") {
    const auto r = scoreHallucination(handPair(), {"ratio", "avss-rel", 1});
    REQUIRE(r.hsav);
    REQUIRE(r.hss);
    CHECK(values(*r.hsav) == std::vector<double>{2.0, 1.0});
    CHECK(values(*r.hss) == std::vector<double>{1.0, 2.0});
    // (2/3) / (1/3) = 2 and (1/3) / (2/3) = 0.5
    CHECK(r.eavss.layers[0].value == Approx(2.0));
    CHECK(r.eavss.layers[1].value == Approx(0.5));
    CHECK(r.eavss.layers[0].rank == 0);  // high = prone = first
    CHECK(r.selected == std::vector<int>{0});
    CHECK(r.eavss.layers[0].sd == Approx(0.0).margin(1e-12));  // identical shards
    CHECK(r.eavss.stability.applicable);
    CHECK(r.eavss.stability.kendallTauMean == Approx(1.0));
    CHECK(r.eavss.layers[0].bottomFrequency == Approx(1.0));
    CHECK(r.truthfulTokensPerAnswer == Approx(3.0));
    CHECK(r.hallucinatedTokensPerAnswer == Approx(4.0));
    CHECK(r.warnings.empty());  // 4/3 < 1.5: no length warning
}

TEST_CASE("hallucinated: the base preset's AVSS on hallucinated answers alone", "[hallu]") {
    const auto r = scoreHallucination(handPair(), {"hallucinated", "avss-rel", 1});
    CHECK(values(*r.hsav) == std::vector<double>{0.5, 0.5});
    CHECK(values(*r.hss) == std::vector<double>{0.2, 0.8});
    CHECK(r.eavss.layers[0].value == Approx(2.5));
    CHECK(r.eavss.layers[1].value == Approx(0.625));
}

TEST_CASE("shift: mean over channels of |mu_H - mu_T| over the pooled sd", "[hallu]") {
    auto s = handPair(1);
    for (auto& m : s.hallucinated.shards[0].layers[1].blockOut.mean) m += 1.0;
    const auto r = scoreHallucination(s, {"shift", "avss-rel", 1});
    CHECK_FALSE(r.hsav);
    CHECK(r.eavss.layers[0].value == Approx(0.0));
    CHECK(r.eavss.layers[1].value == Approx(1.0 / std::sqrt(2.0)));  // variances 2 and 2
    CHECK(r.selected == std::vector<int>{1});
    CHECK_FALSE(r.eavss.stability.applicable);  // one shard
}

TEST_CASE("EAVSS reports the length confound and refuses what it cannot score", "[hallu]") {
    auto s = handPair();
    s.hallucinated.provenance.tokens = 100;  // 10 per answer against 3
    const auto r = scoreHallucination(s);
    REQUIRE(r.warnings.size() == 1);
    CHECK_THAT(r.warnings[0], Contains("10.0 tokens") && Contains("length matching"));
    CHECK_THROWS_WITH(scoreHallucination(s, {"nope"}), Contains("ratio, hallucinated or shift"));
    CHECK_THROWS_WITH(scoreHallucination(s, {"ratio", "bi"}), Contains("not an AVSS preset"));
    HalluStats odd{test::handStats({{1.0, 10}, {2.0, 20}, {3.0, 5}}, 2), s.hallucinated};
    CHECK_THROWS_WITH(scoreHallucination(odd), Contains("differ in layers"));
    const auto a = scoreHallucination(handPair(), {"ratio", "avss-rel", 1});
    const auto agree = compareHallucination(a, a);
    CHECK(agree.kendallTau == Approx(1.0));
    CHECK(agree.selectedJaccard == Approx(1.0));
}

TEST_CASE("A hallucination report round-trips its EAVSS values and selection", "[hallu]") {
    PairSet pairs;
    pairs.spec.file = "pairs.jsonl";
    pairs.pairs.resize(10);
    pairs.questions = 10;
    const auto report = buildHalluReport(pairs, handPair(), false, {}, {"ratio", "avss-rel", 1});
    REQUIRE(report.analyses.size() == 3);  // every variant
    const auto json = halluReportJson(report);
    CHECK_THAT(json, Contains("\"schema\": \"avss-hallucination-report\"") && Contains("\"hsav\"") && Contains("\"selected\""));
    test::TempDir dir;
    writeHalluReport(dir / "h.json", report);
    std::vector<int> selected;
    const auto v = readHalluValues(dir / "h.json", "ratio", &selected);
    REQUIRE(v.size() == 2);
    CHECK(v[0] == Approx(2.0));
    CHECK(selected == std::vector<int>{0});
    CHECK_THROWS_AS(readHalluValues(dir / "h.json", "other"), FormatError);
    test::writeText(dir / "x.json", "{\"schema\": \"something else\"}");
    CHECK_THROWS_WITH(readHalluValues(dir / "x.json", "ratio"), Contains("x.json") && Contains("not a hallucination report"));
    CHECK_THROWS_AS(writeHalluReport(dir / "h.csv", report), UsageError);
}

TEST_CASE("Layers to train: EAVSS top and bottom k, seeded random, all, or a checked list", "[hallu][mitigation]") {
    HalluStats s{test::handStats({{1.0, 10}, {2.0, 20}, {1.0, 30}, {4.0, 10}}, 2), test::handStats({{2.0, 10}, {2.0, 40}, {1.0, 30}, {2.0, 10}}, 2)};
    for (auto* st : {&s.truthful, &s.hallucinated}) st->provenance.sequences = 1, st->provenance.tokens = 1;
    const auto scores = scoreHallucination(s, {"ratio", "avss-rel", 2});
    // EAVSS ∝ (σ²_H/σ²_T) / (S_H/S_T): 2, 0.5, 1, 0.5 → layer 0 most prone, layers 1 and 3 least
    CHECK(chooseLayers(LayerChoice::TopEavss, 4, 1, {}, &scores, 0) == std::vector<int>{0});
    CHECK(chooseLayers(LayerChoice::TopEavss, 4, 2, {}, &scores, 0) == std::vector<int>{0, 2});
    CHECK(chooseLayers(LayerChoice::LowestEavss, 4, 2, {}, &scores, 0) == std::vector<int>{1, 3});
    CHECK(chooseLayers(LayerChoice::All, 4, 2, {}, nullptr, 0) == std::vector<int>{0, 1, 2, 3});
    const auto r1 = chooseLayers(LayerChoice::Random, 30, 7, {}, nullptr, 1);
    CHECK(r1.size() == 7);
    CHECK(r1 == chooseLayers(LayerChoice::Random, 30, 7, {}, nullptr, 1));  // seeded
    CHECK(r1 != chooseLayers(LayerChoice::Random, 30, 7, {}, nullptr, 2));
    CHECK(chooseLayers(LayerChoice::Random, 30, -1, {}, nullptr, 1).size() == 7);  // a quarter of 30
    CHECK(chooseLayers(LayerChoice::Listed, 4, -1, {3, 1, 3}, nullptr, 0) == std::vector<int>{1, 3});
    CHECK_THROWS_WITH(chooseLayers(LayerChoice::Listed, 4, -1, {4}, nullptr, 0), Contains("layer 4 does not exist"));
    CHECK_THROWS_WITH(chooseLayers(LayerChoice::TopEavss, 4, 1, {}, nullptr, 0), Contains("needs a hallucination analysis"));
    CHECK(parseLayerChoice("auto") == LayerChoice::TopEavss);
    CHECK(parseLayerChoice("3,5") == LayerChoice::Listed);
}
