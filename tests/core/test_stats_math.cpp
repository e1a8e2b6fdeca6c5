// Streaming statistics without a model: the fused kernel against brute force on synthetic
// activations, merge-order invariance, masks, thresholds. Torch-free.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "analysis/site_reduce.h"
#include "avss/error.h"
#include "core/test_stats_reference.h"

using namespace avss;
using analysis::BatchRows;
using analysis::SiteReducer;

namespace {

// Synthetic activations with the awkward cases: exact zeros, values near every threshold, an
// outlier channel (like a massive activation), left padding and an all-pad row.
struct Synthetic {
    int B, T, W;
    std::vector<float> x;
    std::vector<float> in;
    std::vector<std::uint8_t> mask;
};

Synthetic synthetic(int B, int T, int W, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_int_distribution<int> pick(0, 9);
    Synthetic s{B, T, W, {}, {}, {}};
    for (int i = 0; i < B * T * W; ++i) {
        float v = normal(rng) * 0.7f + 0.1f;
        switch (pick(rng)) {
            case 0: v = 0.0f; break;
            case 1: v *= 1e-5f; break;
            case 2: v *= 1e-3f; break;
            default: break;
        }
        if (i % W == 3) v = 50.0f + v;  // outlier channel
        s.x.push_back(v);
        s.in.push_back(v * 0.8f + normal(rng) * 0.3f);
    }
    for (int b = 0; b < B; ++b) {
        const int pad = b == B - 1 ? T : b;  // row b has b left pads; the last row is all padding
        for (int t = 0; t < T; ++t) s.mask.push_back(t >= pad ? 1 : 0);
    }
    return s;
}

test::KeptBatch kept(const Synthetic& s, const std::vector<float>& values, const BatchRows& rows) {
    test::KeptBatch k{s.B, s.T, s.W, std::vector<double>(values.begin(), values.end()),
                      std::vector<std::uint8_t>(static_cast<std::size_t>(s.B * s.T), 0)};
    for (int b = 0; b < s.B; ++b) {
        for (int t : rows.rows[b]) k.counted[static_cast<std::size_t>(b * s.T + t)] = 1;
    }
    return k;
}

// A "thread pool" that runs the pieces in reverse order and uneven sizes.
const analysis::ParallelFor kScrambled = [](std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) {
    std::int64_t end = n;
    for (std::int64_t size = 1; end > 0; size += 2) {
        const auto begin = std::max<std::int64_t>(0, end - size);
        body(begin, end);
        end = begin;
    }
};

}  // namespace

TEST_CASE("batch rows follow the mask, optionally without each first position", "[stats]") {
    const std::vector<std::uint8_t> mask{0, 0, 1, 1, /**/ 1, 1, 1, 1, /**/ 0, 0, 0, 0};
    const auto all = analysis::batchRows(mask, 3, 4, false);
    CHECK(all.rows[0] == std::vector<int>{2, 3});
    CHECK(all.rows[1] == std::vector<int>{0, 1, 2, 3});
    CHECK(all.rows[2].empty());
    CHECK(all.last == std::vector<int>{3, 3, -1});
    CHECK(all.count() == 6);
    const auto noFirst = analysis::batchRows(mask, 3, 4, true);
    CHECK(noFirst.rows[0] == std::vector<int>{3});
    CHECK(noFirst.rows[1] == std::vector<int>{1, 2, 3});
    CHECK(noFirst.last == std::vector<int>{3, 3, -1});
    CHECK_THROWS_AS(analysis::batchRows(mask, 2, 4, false), UsageError);
}

TEST_CASE("float thresholds compare exactly like the double threshold", "[stats]") {
    for (double t : {1e-5, 1e-4, 0.05, 0.1, 3.0, 0.1 * 0.7312}) {
        const float f = analysis::floatThreshold(t);
        for (float a = std::nextafter(static_cast<float>(t), 0.0f), i = 0; i < 4; ++i, a = std::nextafter(a, 1e30f)) {
            INFO("t = " << t << ", a = " << a);
            CHECK((a < f) == (static_cast<double>(a) < t));
        }
    }
}

TEST_CASE("fused reduction equals brute force on synthetic activations", "[stats]") {
    StatsSettings settings;
    for (bool excludeFirst : {false, true}) {
        for (int W : {1, 2, 37, 130}) {
            DYNAMIC_SECTION("width " << W << (excludeFirst ? ", first position excluded" : "")) {
                settings.excludeFirstToken = excludeFirst;
                const auto a = synthetic(4, 9, W, 7), b = synthetic(3, 70, W, 8);  // 70 rows: more than one task per sequence
                const auto ra = analysis::batchRows(a.mask, a.B, a.T, excludeFirst);
                const auto rb = analysis::batchRows(b.mask, b.B, b.T, excludeFirst);
                SiteReducer reducer(settings);
                SiteStats site;
                TransitionStats tr;
                reducer.reduce(a.x.data(), W, ra, site, a.in.data(), &tr);
                reducer.reduce(b.x.data(), W, rb, site, b.in.data(), &tr, kScrambled);
                const auto want = test::bruteForceSite({kept(a, a.x, ra), kept(b, b.x, rb)}, settings);
                test::requireSameSite(site, want, 1e-9);
                if (W > 1) {
                    const auto wantTr = test::bruteForceTransition({kept(a, a.in, ra), kept(b, b.in, rb)}, {kept(a, a.x, ra), kept(b, b.x, rb)});
                    test::requireSameTransition(tr, wantTr, 1e-9);
                }
            }
        }
    }
}

TEST_CASE("chunks merged in any order give the same statistics", "[stats]") {
    StatsSettings settings;
    const int W = 48;
    std::vector<Synthetic> chunks;
    for (int i = 0; i < 4; ++i) chunks.push_back(synthetic(3 + i, 5 + 3 * i, W, 100 + static_cast<std::uint64_t>(i)));
    SiteReducer reducer(settings);
    std::vector<SiteStats> parts(chunks.size());
    SiteStats together;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const auto rows = analysis::batchRows(chunks[i].mask, chunks[i].B, chunks[i].T, false);
        reducer.reduce(chunks[i].x.data(), W, rows, parts[i]);
        reducer.reduce(chunks[i].x.data(), W, rows, together);
    }
    std::vector<int> order{0, 1, 2, 3};
    do {
        SiteStats merged;
        for (int i : order) merged.merge(parts[static_cast<std::size_t>(i)]);
        test::requireSameSite(merged, together, 1e-9);
    } while (std::next_permutation(order.begin(), order.end()));
    SiteStats pairs = parts[3];  // a tree of merges: (3 ∪ 1) ∪ (2 ∪ 0)
    pairs.merge(parts[1]);
    SiteStats other = parts[2];
    other.merge(parts[0]);
    pairs.merge(other);
    test::requireSameSite(pairs, together, 1e-9);
}

TEST_CASE("a batch where nothing counts changes nothing", "[stats]") {
    StatsSettings settings;
    auto s = synthetic(2, 4, 8, 3);
    std::fill(s.mask.begin(), s.mask.end(), 0);
    SiteReducer reducer(settings);
    SiteStats site;
    reducer.reduce(s.x.data(), 8, analysis::batchRows(s.mask, 2, 4, false), site);
    CHECK(site.tokens == 0);
    CHECK(site.refBatches == 0);
}

TEST_CASE("merging incompatible statistics is refused", "[stats]") {
    SiteStats a, b;
    a.tokens = b.tokens = 1;
    a.mean = a.m2 = {1, 2};
    b.mean = b.m2 = {1, 2, 3};
    CHECK_THROWS_AS(a.merge(b), UsageError);
    ShardStats x, y;
    x.layers.resize(2);
    y.layers.resize(3);
    CHECK_THROWS_AS(x.merge(y), UsageError);
}

TEST_CASE("provenance mismatches name what differs", "[stats]") {
    StatsProvenance a;
    a.modelFingerprint = "aaaa";
    a.dataFingerprint = "dddd";
    auto b = a;
    CHECK(provenanceMismatch(a, b).empty());
    b.modelFingerprint = "bbbb";
    CHECK_THAT(provenanceMismatch(a, b), Catch::Contains("model"));
    b = a;
    b.dataFingerprint = "eeee";
    CHECK_THAT(provenanceMismatch(a, b), Catch::Contains("calibration data"));
    b = a;
    b.options.sequenceLength = 7;
    CHECK_THAT(provenanceMismatch(a, b), Catch::Contains("sequence length"));
    b = a;
    b.options.settings.relThresholds = {0.2};
    CHECK_THAT(provenanceMismatch(a, b), Catch::Contains("relative thresholds"));
}
