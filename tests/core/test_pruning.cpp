// Selection rules on hand-made scores, including paper.md §5's worked 8-layer example. Torch-free.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "avss/error.h"
#include "avss/pruning_plan.h"
#include "core/test_stats_fixtures.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

// Scores whose avss-reference-code values are exactly `values` (raw variance / sparsity ratio),
// except for `guarded` layers: no near-zero element, so the guard makes them value / 0.0025.
LayerScores referenceScores(const std::vector<double>& values, const std::vector<int>& guarded = {}) {
    std::vector<test::LayerSpec> layers(values.size());
    for (std::size_t l = 0; l < values.size(); ++l) {
        layers[l].refVariance = values[l];
        layers[l].refSparsity = 1.0;
    }
    for (int l : guarded) layers[static_cast<std::size_t>(l)].refSparsity = 0;
    return scoreLayers(test::handStats(layers), "avss-reference-code");
}

PruningRule rule(RuleKind kind, bool protect = false) {
    PruningRule r;
    r.kind = kind;
    r.protectFirst = r.protectLast = protect;
    return r;
}

const std::vector<double> kPaperExample{0.6, 2.0, 0.5, 1.8, 0.9, 0.7, 2.5, 3.0};

}  // namespace

TEST_CASE("paper.md §5: code rule {0,1}, count rule {2,0}, sorted mass {2,0,5,4}", "[pruning]") {
    const auto s = referenceScores(kPaperExample);
    auto count = rule(RuleKind::Count);
    count.count = 2;
    CHECK(planPruning(s, count).removed == std::vector<int>{2, 0});
    CHECK(planPruning(s, rule(RuleKind::Fraction)).removed == std::vector<int>{2, 0});  // ⌊0.25 · 8⌋ = 2
    CHECK(planPruning(s, rule(RuleKind::Mass)).removed == std::vector<int>{2, 0, 5, 4});
    const auto code = planPruning(s, rule(RuleKind::ReferenceCode));
    CHECK(code.removed == std::vector<int>{0, 1});
    CHECK(code.kept == std::vector<int>{2, 3, 4, 5, 6, 7});
    CHECK_THAT(code.notes.back(), Contains("prefix"));
}

TEST_CASE("the reference-code rule always selects a prefix of early layers", "[pruning]") {
    std::vector<double> v(32);
    for (int l = 0; l < 32; ++l) v[static_cast<std::size_t>(l)] = 1.0 + ((l * 7) % 11);  // scores unrelated to depth
    const auto s = referenceScores(v);
    for (double mass : {0.1, 0.25, 0.5, 0.9}) {
        auto r = rule(RuleKind::ReferenceCode);
        r.mass = mass;
        const auto removed = planPruning(s, r).removed;
        for (std::size_t i = 0; i < removed.size(); ++i) CHECK(removed[i] == static_cast<int>(i));
    }
}

TEST_CASE("protected blocks are never removed", "[pruning]") {
    const auto s = referenceScores(kPaperExample);
    auto count = rule(RuleKind::Count, true);
    count.count = 2;
    CHECK(planPruning(s, count).removed == std::vector<int>{2, 5});
    const auto code = planPruning(s, rule(RuleKind::ReferenceCode, true));
    CHECK(code.removed == std::vector<int>{1});
    CHECK_THAT(code.notes.front(), Contains("layer 0") && Contains("protected"));
    const auto mass = planPruning(s, rule(RuleKind::Mass, true));
    CHECK(mass.removed == std::vector<int>{2, 5, 4});  // 0.5 + 0.7 + 0.9 = 2.1 of 12 ≤ 0.25·12; +1.8 exceeds
    count.count = 7;
    CHECK_THROWS_WITH(planPruning(s, count), Contains("cannot remove 7") && Contains("6 may be removed"));
}

TEST_CASE("rules check their parameters and the metric's direction", "[pruning]") {
    const auto s = referenceScores(kPaperExample);
    auto bad = rule(RuleKind::Fraction);
    bad.fraction = 1.0;
    CHECK_THROWS_AS(planPruning(s, bad), UsageError);
    bad = rule(RuleKind::Mass);
    bad.mass = -0.1;
    CHECK_THROWS_AS(planPruning(s, bad), UsageError);
    auto st = test::handStats(std::vector<test::LayerSpec>(8));
    const auto reverse = scoreLayers(st, "reverse");
    CHECK_THROWS_WITH(planPruning(reverse, rule(RuleKind::Mass)), Contains("high values first"));
    auto count = rule(RuleKind::Count, true);
    count.count = 2;
    CHECK(planPruning(reverse, count).removed == std::vector<int>{6, 5});  // Gromov's heuristic: keep the final block
    CHECK(parseRuleKind("reference-code") == RuleKind::ReferenceCode);
    CHECK_THROWS_WITH(parseRuleKind("best"), Contains("count, fraction, mass, reference-code"));
}

TEST_CASE("switching rules keeps the plan's size: count and fraction exactly, mass rules at 1 % steps", "[pruning]") {
    const auto s = referenceScores(kPaperExample);
    auto count = rule(RuleKind::Count);
    count.count = 3;
    const auto removed = [&](const PruningRule& r) { return planPruning(s, r).removed.size(); };
    REQUIRE(removed(count) == 3);
    const auto mass = switchRule(s, count, RuleKind::Mass);
    CHECK(mass.kind == RuleKind::Mass);
    CHECK(removed(mass) == 3);
    auto smaller = mass;
    smaller.mass -= 0.01;
    CHECK(removed(smaller) < 3);  // the smallest such mass
    const auto fraction = switchRule(s, mass, RuleKind::Fraction);
    CHECK(fraction.fraction == Approx(3.0 / 8));
    CHECK(removed(fraction) == 3);
    const auto back = switchRule(s, fraction, RuleKind::Count);
    CHECK(back.count == 3);
    // A rule the metric cannot take leaves the rule as it was.
    auto highFirst = s;
    highFirst.metric = "reverse";  // high-first: no mass rule
    CHECK(switchRule(highFirst, count, RuleKind::Mass).kind == RuleKind::Count);
}

TEST_CASE("span plans remove the best contiguous span that avoids protected blocks", "[pruning]") {
    std::vector<test::LayerSpec> layers(6);
    const double angle[] = {0.01, 0.5, 0.3, 0.2, 0.4, 0.02};
    for (int l = 0; l < 6; ++l) layers[l].lastAngle = angle[l];
    const auto sp = scoreSpans(test::handStats(layers), 2);
    CHECK(planSpanPruning(sp, 6, false, false).removed == std::vector<int>{0, 1});
    const auto p = planSpanPruning(sp, 6, true, true);
    CHECK(p.removed == std::vector<int>{3, 4});
    CHECK(p.kept == std::vector<int>{0, 1, 2, 5});
}

TEST_CASE("guarded layers get a note in every plan and stay out of the mass rules' total", "[pruning]") {
    const auto s = referenceScores(kPaperExample, {1});  // layer 1: 2.0 / (0.5 / 200) = 800, a lower bound
    REQUIRE(s.guardedLayers == std::vector<int>{1});
    REQUIRE(s.layers[1].value == Approx(800));
    auto count = rule(RuleKind::Count);
    count.count = 2;
    const auto byCount = planPruning(s, count);
    CHECK(byCount.removed == std::vector<int>{2, 0});
    REQUIRE(byCount.notes.size() == 1);
    CHECK_THAT(byCount.notes[0], Contains("layer 1: ") && Contains("half an element") && Contains("lower bound"));
    // Counting 800 would put every other layer under 1.3 % of the total; without it the total is 10.
    const auto mass = planPruning(s, rule(RuleKind::Mass));
    CHECK(mass.removed == std::vector<int>{2, 0, 5});  // 0.5 + 0.6 + 0.7 = 1.8 ≤ 2.5; + 0.9 exceeds
    CHECK_THAT(mass.description, Contains("7 layers without a guard"));
    CHECK_THAT(mass.notes.back(), Contains("leaves guarded layers 1 out of the total"));
    const auto code = planPruning(s, rule(RuleKind::ReferenceCode));
    CHECK(code.removed == std::vector<int>{0, 2});  // running sum 0.6, (1 skipped), 1.1, then 2.9 > 2.5
    CHECK(std::count_if(code.notes.begin(), code.notes.end(), [](const std::string& n) { return n.find("layer 1: ") == 0; }) == 1);
    const auto unguarded = planPruning(referenceScores(kPaperExample), rule(RuleKind::Mass));
    CHECK(unguarded.notes.empty());
    CHECK_THAT(unguarded.description, !Contains("guard"));
}
