// The identity of an analysis: one field list gives equality, the cache key, the mismatch report
// and the cache's stored provenance. Changing any field must change all four.
#include <catch2/catch.hpp>

#include <set>

#include "analysis/stats_identity.h"
#include "avss/stats_cache.h"
#include "core/test_stats_fixtures.h"
#include "support/temp_dir.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

ActivationStats sample() {
    std::vector<test::LayerSpec> layers(4);
    for (int l = 0; l < 4; ++l) layers[l].variance = 1.0 + 0.5 * l, layers[l].nearZero = 2 + l;
    auto st = test::handStats(layers, 2);
    st.provenance.modelFingerprint = "model-fingerprint-aaaaaaaaaaaa";
    st.provenance.dataFingerprint = "data-fingerprint-bbbbbbbbbbbb";
    st.provenance.calibrationTokens = 1234;
    return st;
}

// A value of the same type that differs from `v`.
IdentityValue changed(const IdentityValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) return !*b;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i + 1;
    if (const auto* d = std::get_if<double>(&v)) return *d * 2 + 1e-7;
    if (const auto* s = std::get_if<std::string>(&v)) return *s + "-other";
    auto list = std::get<std::vector<double>>(v);
    list.push_back(0.5);
    return list;
}

}  // namespace

TEST_CASE("every identity field changes the key and the mismatch report names it", "[identity]") {
    const auto base = sample().provenance;
    const auto baseKey = provenanceKey(base);
    CHECK(baseKey.size() == 24);
    CHECK(provenanceKey(base) == baseKey);  // stable
    std::set<std::string> keys{baseKey};
    for (const auto& f : analysis::statsIdentityFields()) {
        INFO(f.key);
        auto p = base;
        f.set(p, changed(f.get(base)));
        CHECK_FALSE(sameAnalysis(p, base));
        CHECK(keys.insert(provenanceKey(p)).second);  // a key no other change produced
        CHECK_THAT(provenanceMismatch(base, p), Contains(f.label));
    }
    CHECK(keys.size() == analysis::statsIdentityFields().size() + 1);
}

TEST_CASE("fields outside the identity change neither the key nor equality", "[identity]") {
    const auto base = sample().provenance;
    auto p = base;
    p.modelName = "renamed";
    p.createdUtc = "2030-01-01T00:00:00Z";
    p.warnings = {"a note"};
    p.tokens += 7;
    CHECK(sameAnalysis(p, base));
    CHECK(provenanceKey(p) == provenanceKey(base));
    CHECK(provenanceMismatch(base, p).empty());
}

TEST_CASE("CollectOptions compare by every identity field of the options", "[identity]") {
    CollectOptions a, b;
    CHECK(a == b);
    b.settings.attnOut = true;
    CHECK(a != b);
    b = a;
    b.settings.referenceEpsilon = 2e-5;
    CHECK(a != b);
    b = a;
    b.batchSize += 1;
    CHECK(a != b);
}

TEST_CASE("a cache round-trips every identity field and is stale when any differs", "[identity][cache]") {
    test::TempDir dir;
    const auto st = sample();
    StatsCache cache(dir / "a.h5");
    cache.store(st);
    const auto loaded = cache.load();
    CHECK(statsIdentity(loaded.provenance) == statsIdentity(st.provenance));
    CHECK(loaded.provenance.calibrationTokens == 1234);
    for (const auto& f : analysis::statsIdentityFields()) {
        INFO(f.key);
        auto want = st.provenance;
        f.set(want, changed(f.get(want)));
        const auto lookup = cache.find(want);
        CHECK(lookup.status == CacheStatus::Stale);
        CHECK_THAT(lookup.reason, Contains(f.label));
    }
}

TEST_CASE("statistics of another engine version are never reused", "[identity][cache]") {
    test::TempDir dir;
    auto st = sample();
    st.provenance.engineVersion = 0;  // what a cache from before engine versions reads as
    StatsCache cache(dir / "old.h5");
    cache.store(st);
    auto want = st.provenance;
    want.engineVersion = kStatsEngineVersion;
    const auto lookup = cache.find(want);
    CHECK(lookup.status == CacheStatus::Stale);
    CHECK_THAT(lookup.reason, Contains("statistics engine version was 0, now " + std::to_string(kStatsEngineVersion)));
}
