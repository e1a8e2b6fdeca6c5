// StatsCache: lookup policy (what may be used, what may be replaced) and the atomic write.
#include "avss/stats_cache.h"

#include "avss/error.h"
#include "cache/cache_schema.h"
#include "cache/cache_seal.h"
#include "cache/h5_file.h"
#include "util/atomic_file.h"

namespace avss {
namespace {

struct Inspection {
    CacheStatus status = CacheStatus::Missing;
    std::string reason;
    int schemaVersion = 0;
};

// What the file at `path` is, without reading the accumulators. Never throws for its contents.
Inspection inspect(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {CacheStatus::Missing, path.string() + ": no cache file yet", 0};
    try {
        // HDF5 parses only files whose checksum matches (cache_seal.h); it is not hardened against damage.
        const auto seal = cache::checkSeal(path);
        if (seal.state == cache::SealState::Broken) {
            return {CacheStatus::Invalid, path.string() + ": " + seal.reason + "; delete it to recompute", 0};
        }
        if (seal.state == cache::SealState::Unsealed) {
            if (!cache::H5Reader::isHdf5(path)) {  // looks for the signature only
                return {CacheStatus::Invalid, path.string() + ": not an HDF5 file (or unreadable); delete it to recompute", 0};
            }
            if (cache::fileContains(path, cache::kFormatName)) {
                return {CacheStatus::Stale, path.string() + ": an analysis cache without an integrity checksum (written by an older AVSS "
                                                            "Explorer) cannot be verified; analyse the model again to recompute it", 0};
            }
            return {CacheStatus::Invalid, path.string() + ": an HDF5 file, but not an AVSS analysis cache; delete it or choose another path", 0};
        }
        const cache::H5Reader r(path);
        if (!r.hasAttribute("/", "format") || r.stringAttribute("/", "format") != cache::kFormatName) {
            return {CacheStatus::Invalid, path.string() + ": an HDF5 file, but not an AVSS analysis cache; delete it or choose another path", 0};
        }
        const auto version = static_cast<int>(r.intAttribute("/", "schema_version"));
        if (version > kStatsCacheSchemaVersion) {
            return {CacheStatus::NewerSchema, path.string() + ": written with cache schema " + std::to_string(version) +
                                                  " by a newer AVSS Explorer; this version reads schema " +
                                                  std::to_string(kStatsCacheSchemaVersion), version};
        }
        if (version < kStatsCacheSchemaVersion) {
            return {CacheStatus::Stale, path.string() + ": old cache schema " + std::to_string(version), version};
        }
        return {CacheStatus::Hit, {}, version};
    } catch (const Error& e) {
        return {CacheStatus::Invalid, e.what(), 0};
    }
}

}  // namespace

const char* cacheStatusName(CacheStatus s) {
    switch (s) {
        case CacheStatus::Hit: return "hit";
        case CacheStatus::Missing: return "missing";
        case CacheStatus::Stale: return "stale";
        case CacheStatus::NewerSchema: return "newer-schema";
        case CacheStatus::Invalid: return "invalid";
    }
    return "?";
}

StatsCache::StatsCache(std::filesystem::path file) : m_file(std::move(file)) {}

CacheLookup StatsCache::find(const StatsProvenance& wanted) const {
    cache::H5Lock lock;
    const auto ins = inspect(m_file);
    if (ins.status != CacheStatus::Hit) return {ins.status, std::nullopt, ins.reason};
    try {
        auto stats = load();
        const auto mismatch = provenanceMismatch(stats.provenance, wanted);
        if (!mismatch.empty()) return {CacheStatus::Stale, std::nullopt, m_file.string() + ": " + mismatch};
        return {CacheStatus::Hit, std::move(stats), {}};
    } catch (const Error& e) {
        return {CacheStatus::Invalid, std::nullopt, e.what()};
    }
}

ActivationStats StatsCache::load() const {
    cache::H5Lock lock;
    const auto ins = inspect(m_file);
    if (ins.status == CacheStatus::Missing) throw IoError(m_file, "file not found", "Analyse the model into this cache file first.", {Setting::CacheFile});
    if (ins.status == CacheStatus::NewerSchema) throw FormatError({}, ins.reason, "Use a newer AVSS Explorer, or delete the file to recompute.");
    if (ins.status != CacheStatus::Hit) throw FormatError({}, ins.reason);  // the reason already says what to do
    const cache::H5Reader r(m_file);
    auto stats = cache::readStats(r, m_file);
    stats.provenance.schemaVersion = ins.schemaVersion;
    return stats;
}

void StatsCache::store(const ActivationStats& stats) const {
    cache::H5Lock lock;
    const auto ins = inspect(m_file);
    if (ins.status == CacheStatus::Invalid || ins.status == CacheStatus::NewerSchema) {
        throw IoError({}, "refusing to replace " + ins.reason, "Choose another cache file or delete the file.", {Setting::CacheFile});
    }
    util::AtomicFile file(m_file, /*openStream=*/false);  // HDF5 writes the temporary path itself
    {
        cache::H5Writer w(file.tempPath());
        cache::writeStats(w, stats, kStatsCacheSchemaVersion);
        w.close();
    }
    file.commit();  // fsync, rename over the old cache; on any error the temporary is removed
}

}  // namespace avss
