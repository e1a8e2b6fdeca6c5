// The HDF5 analysis cache: exact round trip, provenance checks, and every bad file (missing,
// foreign, truncated, damaged, newer schema) detected and reported. Torch-free.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <thread>

#include "avss/error.h"
#include "avss/layer_scores.h"
#include "avss/stats_cache.h"
#include "cache/h5_file.h"
#include "core/test_stats_fixtures.h"
#include "support/temp_dir.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

ActivationStats sample() {
    std::vector<test::LayerSpec> layers(5);
    for (int l = 0; l < 5; ++l) {
        layers[l].variance = 1.0 + l * 0.37;
        layers[l].nearZero = 3 + l;
        layers[l].cos = 0.8 - 0.05 * l;
        layers[l].lastAngle = 0.1 + 0.01 * l;
    }
    auto st = test::handStats(layers, 3);
    st.shards[1].layers[2].blockOut.mean[1] = 1.0 / 3.0;  // a value that does not survive a float round trip
    st.provenance.warnings = {"first warning", "second warning"};
    st.provenance.options.settings.relThresholds = {};      // empty lists are stored too
    for (auto& sh : st.shards) {
        for (auto& l : sh.layers) l.blockOut.nearZeroRel.clear(), l.mlpAct.nearZeroRel.clear();
    }
    return st;
}

void requireSame(const ActivationStats& a, const ActivationStats& b) {
    REQUIRE(a.shards.size() == b.shards.size());
    for (std::size_t s = 0; s < a.shards.size(); ++s) {
        const auto& x = a.shards[s];
        const auto& y = b.shards[s];
        CHECK(x.sequences == y.sequences);
        CHECK(x.spans.angleSum == y.spans.angleSum);
        CHECK(x.spans.sequences == y.spans.sequences);
        for (std::size_t l = 0; l < x.layers.size(); ++l) {
            for (auto p : {StatPoint::BlockOut, StatPoint::MlpAct}) {
                const auto& u = x.layers[l].site(p);
                const auto& v = y.layers[l].site(p);
                CHECK(u.tokens == v.tokens);
                CHECK(u.mean == v.mean);  // bit-identical
                CHECK(u.m2 == v.m2);
                CHECK(u.nearZeroAbs == v.nearZeroAbs);
                CHECK(u.nearZeroRel == v.nearZeroRel);
                CHECK(u.refNearZeroSum == v.refNearZeroSum);
            }
            CHECK(x.layers[l].transition.cosSum == y.layers[l].transition.cosSum);
        }
    }
    CHECK(a.provenance.modelFingerprint == b.provenance.modelFingerprint);
    CHECK(a.provenance.warnings == b.provenance.warnings);
    CHECK(provenanceMismatch(a.provenance, b.provenance).empty());
}

}  // namespace

TEST_CASE("a stored cache loads bit-identically and gives identical scores", "[cache]") {
    test::TempDir dir;
    const auto st = sample();
    StatsCache cache(dir / "analysis.h5");
    cache.store(st);
    const auto back = cache.load();
    requireSame(back, st);
    CHECK(back.provenance.schemaVersion == kStatsCacheSchemaVersion);
    for (const auto& id : metricIds()) {
        if (id == "avss-rel" || id == "avss-mlp") continue;  // need a relative threshold, stored empty here
        const auto a = scoreLayers(st, id), b = scoreLayers(back, id);
        for (std::size_t l = 0; l < a.layers.size(); ++l) {
            CHECK(a.layers[l].value == b.layers[l].value);
            CHECK(a.layers[l].rank == b.layers[l].rank);
        }
    }
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) CHECK(e.path().filename() == "analysis.h5");
}

TEST_CASE("find() hits only for the same model, data and options", "[cache]") {
    test::TempDir dir;
    const auto st = sample();
    StatsCache cache(dir / "analysis.h5");
    CHECK(cache.find(st.provenance).status == CacheStatus::Missing);
    cache.store(st);
    const auto hit = cache.find(st.provenance);
    REQUIRE(hit.hit());
    requireSame(*hit.stats, st);
    auto want = st.provenance;
    want.modelFingerprint = "another-model";
    auto miss = cache.find(want);
    CHECK(miss.status == CacheStatus::Stale);
    CHECK_THAT(miss.reason, Contains("analysis.h5") && Contains("model"));
    want = st.provenance;
    want.dataFingerprint = "other-data";
    CHECK_THAT(cache.find(want).reason, Contains("calibration data"));
    want = st.provenance;
    want.options.settings.excludeFirstToken = true;
    CHECK_THAT(cache.find(want).reason, Contains("exclude-first-token"));
    want = st.provenance;
    want.modelFingerprint = "another-model";
    auto other = st;
    other.provenance = want;
    cache.store(other);  // a stale cache is replaced
    CHECK(cache.find(want).hit());
}

TEST_CASE("bad files are detected, reported and never overwritten", "[cache]") {
    test::TempDir dir;
    const auto st = sample();
    SECTION("not HDF5") {
        test::writeText(dir / "a.h5", "just some text\n");
        StatsCache c(dir / "a.h5");
        const auto r = c.find(st.provenance);
        CHECK(r.status == CacheStatus::Invalid);
        CHECK_THAT(r.reason, Contains("a.h5") && Contains("not an HDF5 file"));
        CHECK_THROWS_AS(c.load(), FormatError);
        CHECK_THROWS_WITH(c.store(st), Contains("refusing to replace"));
        CHECK(test::readBytes(dir / "a.h5").size() == 15);
    }
    SECTION("a foreign HDF5 file") {
        {
            cache::H5Writer w(dir / "b.h5");
            w.attribute("/", "format", std::string("someone-elses-data"));
            const double x[2] = {1, 2};
            w.dataset("/x", {2}, x);
            w.close();
        }
        StatsCache c(dir / "b.h5");
        CHECK(c.find(st.provenance).status == CacheStatus::Invalid);
        CHECK_THAT(c.find(st.provenance).reason, Contains("not an AVSS analysis cache"));
        CHECK_THROWS_AS(c.store(st), IoError);
    }
    SECTION("truncated") {
        StatsCache c(dir / "c.h5");
        c.store(st);
        auto bytes = test::readBytes(dir / "c.h5");
        bytes.resize(bytes.size() / 2);
        test::writeBytes(dir / "c.h5", bytes);
        const auto r = c.find(st.provenance);
        CHECK(r.status == CacheStatus::Invalid);
        CHECK_THAT(r.reason, Contains("c.h5"));
        CHECK_THROWS_WITH(c.load(), Contains("c.h5"));
    }
    SECTION("damaged data: the checksum catches it") {
        StatsCache c(dir / "d.h5");
        c.store(st);
        auto bytes = test::readBytes(dir / "d.h5");
        // Flip bytes inside the largest run of m2 values (1.37 * 100 = 137.0 as little-endian double).
        const double needle = 137.0;
        const auto* n = reinterpret_cast<const unsigned char*>(&needle);
        const auto it = std::search(bytes.begin(), bytes.end(), n, n + 8);
        REQUIRE(it != bytes.end());
        *(it + 7) ^= 0x40;
        test::writeBytes(dir / "d.h5", bytes);
        CHECK(c.find(st.provenance).status == CacheStatus::Invalid);
        CHECK_THROWS_AS(c.load(), FormatError);
    }
    SECTION("a newer schema") {
        {
            cache::H5Writer w(dir / "e.h5");
            w.attribute("/", "format", std::string("avss-analysis-cache"));
            w.attribute("/", "schema_version", std::int64_t{kStatsCacheSchemaVersion + 1});
            w.close();
        }
        StatsCache c(dir / "e.h5");
        const auto r = c.find(st.provenance);
        CHECK(r.status == CacheStatus::NewerSchema);
        CHECK_THAT(r.reason, Contains("newer"));
        CHECK_THROWS_AS(c.load(), FormatError);
        CHECK_THROWS_AS(c.store(st), IoError);
    }
    SECTION("an inconsistent shape") {
        auto bad = st;
        bad.provenance.shardCount = 4;  // the datasets hold 3 shards
        StatsCache c(dir / "f.h5");
        c.store(bad);
        CHECK_THROWS_WITH(c.load(), Contains("f.h5") && Contains("/stats/block_out/tokens") && Contains("expected [4, 5]"));
        CHECK(c.find(bad.provenance).status == CacheStatus::Invalid);
        bad = st;
        bad.provenance.hiddenSize = 5;  // vectors of width 4 do not fit
        CHECK_THROWS_WITH(c.store(bad), Contains("inconsistent widths"));
    }
    SECTION("missing") {
        CHECK_THROWS_AS(StatsCache(dir / "none.h5").load(), IoError);
    }
}

TEST_CASE("HDF5 only parses files whose checksum header matches; an unsealed old cache is recomputed", "[cache]") {
    test::TempDir dir;
    const auto st = sample();
    StatsCache c(dir / "g.h5");
    c.store(st);
    auto bytes = test::readBytes(dir / "g.h5");
    REQUIRE(std::string(bytes.begin(), bytes.begin() + 18) == "AVSS-CACHE-SEAL 1\n");
    SECTION("one flipped bit anywhere in the HDF5 part") {
        bytes[bytes.size() / 3] ^= 1;
        test::writeBytes(dir / "g.h5", bytes);
        const auto r = c.find(st.provenance);
        CHECK(r.status == CacheStatus::Invalid);
        CHECK_THAT(r.reason, Contains("g.h5") && Contains("SHA-256"));
        CHECK_THROWS_AS(c.load(), FormatError);
        CHECK_THROWS_AS(c.store(st), IoError);
    }
    SECTION("an older cache without the header") {
        std::fill(bytes.begin(), bytes.begin() + 512, 0);  // HDF5 still finds its signature at byte 512
        test::writeBytes(dir / "g.h5", bytes);
        const auto r = c.find(st.provenance);
        CHECK(r.status == CacheStatus::Stale);
        CHECK_THAT(r.reason, Contains("g.h5") && Contains("checksum"));
        CHECK_THROWS_WITH(c.load(), Contains("cannot be verified"));
        c.store(st);  // a stale cache is replaced
        CHECK(c.find(st.provenance).hit());
    }
}

TEST_CASE("an unwritable folder is an IoError and leaves nothing behind", "[cache]") {
    test::TempDir dir;
    StatsCache c(dir / "no-such-folder" / "x.h5");
    CHECK_THROWS_AS(c.store(sample()), IoError);
    CHECK_FALSE(std::filesystem::exists(dir / "no-such-folder"));
}

TEST_CASE("concurrent stores and loads are serialised", "[cache]") {
    test::TempDir dir;
    const auto st = sample();
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            StatsCache c(dir / ("t" + std::to_string(i % 2) + ".h5"));
            for (int k = 0; k < 3; ++k) {
                c.store(st);
                (void)c.load();
            }
        });
    }
    for (auto& t : threads) t.join();
    requireSame(StatsCache(dir / "t0.h5").load(), st);
}
