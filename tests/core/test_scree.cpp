// The scree view on hand-made scores (paper.md §5's 8-layer example): prune order, cumulative mass
// as the mass rule adds it, the cut between removed and kept, uncertainty flags and the count a
// dragged cut gives. Torch-free.
#include <catch2/catch.hpp>

#include <cmath>

#include "avss/pruning_plan.h"
#include "avss/scree.h"
#include "core/test_stats_fixtures.h"

using namespace avss;

namespace {

// avss-reference-code values {0.6, 2.0, 0.5, 1.8, 0.9, 0.7, 2.5, 3.0} (total 12); layer `guarded` has
// no near-zero element, so its value is a lower bound.
LayerScores paperScores(int guarded = -1) {
    const std::vector<double> values{0.6, 2.0, 0.5, 1.8, 0.9, 0.7, 2.5, 3.0};
    std::vector<test::LayerSpec> layers(values.size());
    for (std::size_t l = 0; l < values.size(); ++l) {
        layers[l].refVariance = values[l];
        layers[l].refSparsity = 1.0;
    }
    if (guarded >= 0) layers[static_cast<std::size_t>(guarded)].refSparsity = 0;
    return scoreLayers(test::handStats(layers), "avss-reference-code");
}

std::vector<int> layersOf(const Scree& s) {
    std::vector<int> out;
    for (const auto& b : s.bars) out.push_back(b.layer);
    return out;
}

}  // namespace

TEST_CASE("scree: bars in prune order, cumulative mass as the mass rule adds, the cut after the last removed", "[scree]") {
    const auto scores = paperScores();
    PruningRule mass;
    mass.kind = RuleKind::Mass;
    mass.protectFirst = mass.protectLast = false;
    const auto plan = planPruning(scores, mass);  // {2, 0, 5, 4}: cumulative 0.225 ≤ 0.25 < 0.375
    const auto s = screeOf(scores, plan.removed, {});
    CHECK(layersOf(s) == std::vector<int>{2, 0, 5, 4, 3, 1, 6, 7});
    REQUIRE(s.hasMass);
    CHECK(s.bars[3].cumulativeMass == Approx(2.7 / 12));
    CHECK(s.bars[4].cumulativeMass == Approx(4.5 / 12));
    CHECK(s.bars.back().cumulativeMass == Approx(1.0));
    CHECK(s.bars[3].removed);
    CHECK_FALSE(s.bars[4].removed);
    REQUIRE(s.cutPosition);
    CHECK(*s.cutPosition == 3.5);
    REQUIRE(s.cutValue);
    CHECK(*s.cutValue == Approx((0.9 + 1.8) / 2));
    CHECK(screeCountAt(s, *s.cutPosition) == 4);  // dragging the cut where it is changes nothing
    CHECK(screeCountAt(s, -3) == 0);
    CHECK(screeCountAt(s, 99) == 8);
}

TEST_CASE("scree: a layer whose error bar reaches the cut, or whose shards disagree, is uncertain", "[scree]") {
    auto scores = paperScores();
    scores.layers[3].sd = 0.5;    // 1.8 − 0.5 reaches the cut value 1.35
    scores.layers[4].sd = 0.1;    // 0.9 + 0.1 does not
    scores.layers[5].bottomFrequency = 0.5;
    scores.layers[2].bottomFrequency = 1.0;
    const auto s = screeOf(scores, {2, 0, 5, 4}, {});
    const auto bar = [&](int layer) { return *std::find_if(s.bars.begin(), s.bars.end(), [&](const ScreeBar& b) { return b.layer == layer; }); };
    CHECK(bar(3).uncertainAtCut);
    CHECK_FALSE(bar(4).uncertainAtCut);
    CHECK_FALSE(bar(6).uncertainAtCut);           // no spread (one shard): never flagged
    CHECK(bar(5).uncertainShards);
    CHECK_FALSE(bar(2).uncertainShards);          // every shard agrees
}

TEST_CASE("scree: protected layers add no mass, are not counted by a dragged cut, and do not set the cut", "[scree]") {
    const auto scores = paperScores();
    PruningRule count;
    count.kind = RuleKind::Count;
    count.count = 2;                              // blocks 0 and 7 protected: removes {2, 5}
    const auto plan = planPruning(scores, count);
    REQUIRE(plan.removed == std::vector<int>{2, 5});
    const auto s = screeOf(scores, plan.removed, {0, 7});
    CHECK(layersOf(s) == std::vector<int>{2, 0, 5, 4, 3, 1, 6, 7});
    CHECK(s.bars[1].isProtected);
    CHECK(s.bars[1].cumulativeMass == Approx(0.5 / 12));  // unchanged across the protected bar
    CHECK(s.bars[2].cumulativeMass == Approx(1.2 / 12));
    CHECK(*s.cutPosition == 2.5);
    CHECK(*s.cutValue == Approx((0.7 + 0.9) / 2));
    CHECK(screeCountAt(s, 2.5) == 2);
    CHECK(screeCountAt(s, 1.5) == 1);             // left of the protected bar's right edge: still one
    CHECK(screeCountAt(s, 99) == 6);
}

TEST_CASE("scree: no cut value without removed layers; no cut for the reference-code rule; guards; no mass", "[scree]") {
    const auto scores = paperScores();
    const auto none = screeOf(scores, {}, {});
    CHECK(*none.cutPosition == -0.5);
    CHECK_FALSE(none.cutValue);
    CHECK_FALSE(screeOf(scores, {0, 1}, {}, false).cutPosition);

    const auto guarded = screeOf(paperScores(1), {}, {});
    const auto it = std::find_if(guarded.bars.begin(), guarded.bars.end(), [](const ScreeBar& b) { return b.layer == 1; });
    REQUIRE(it != guarded.bars.end());
    CHECK(it->lowerBound);
    CHECK(guarded.bars.back().cumulativeMass == Approx(1.0));  // the guarded layer is outside the total
    if (it != guarded.bars.begin()) CHECK(it->cumulativeMass == Approx(std::prev(it)->cumulativeMass));

    const auto reverse = screeOf(scoreLayers(test::handStats(std::vector<test::LayerSpec>(4)), "reverse"), {3}, {});
    CHECK_FALSE(reverse.hasMass);                 // layer numbers are not amounts
    CHECK(std::isnan(reverse.bars[0].cumulativeMass));
    CHECK(reverse.bars[0].layer == 3);
}
