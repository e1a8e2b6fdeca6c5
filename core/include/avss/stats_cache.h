// The HDF5 analysis cache: per-shard accumulators plus provenance, so every score can be
// recomputed without the model. Schema: docs/cache-schema.md. HDF5 stays behind this header.
// All HDF5 calls in the process are serialised by one mutex; the class itself is stateless.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "avss/activation_stats.h"

namespace avss {

constexpr int kStatsCacheSchemaVersion = 1;

enum class CacheStatus {
    Hit,          // readable, current schema, same model, data and options
    Missing,      // no file
    Stale,        // an AVSS cache for another model, data, options or an older schema: recompute, then replace
    NewerSchema,  // written by a newer AVSS Explorer: never used, never overwritten
    Invalid,      // not an AVSS cache, truncated or damaged: never used, never overwritten
};
const char* cacheStatusName(CacheStatus s);

struct CacheLookup {
    CacheStatus status = CacheStatus::Missing;
    std::optional<ActivationStats> stats;  // set on Hit
    std::string reason;                    // "<file>: why it cannot be used" for every other status
    bool hit() const { return status == CacheStatus::Hit; }
};

class StatsCache {
public:
    explicit StatsCache(std::filesystem::path file);
    const std::filesystem::path& file() const { return m_file; }

    // Never throws for the file's contents; the reason says what was wrong.
    CacheLookup find(const StatsProvenance& wanted) const;
    // Reads without comparing provenance. Throws FormatError (foreign, truncated, newer schema,
    // inconsistent shapes) or IoError, naming the file.
    ActivationStats load() const;
    // Temporary file in the same folder, flush, fsync, rename. Throws IoError; refuses to replace
    // an Invalid or NewerSchema file.
    void store(const ActivationStats& stats) const;

private:
    std::filesystem::path m_file;
};

}  // namespace avss
