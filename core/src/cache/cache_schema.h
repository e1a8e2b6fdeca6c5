// ActivationStats ⇄ the HDF5 layout of schema version 1 (docs/cache-schema.md). The caller holds
// the HDF5 lock and decides policy (stale, newer, atomic replace): see stats_cache.cpp.
#pragma once

#include <string>

#include "avss/activation_stats.h"
#include "cache/h5_file.h"

namespace avss::cache {

constexpr const char* kFormatName = "avss-analysis-cache";

void writeStats(H5Writer& w, const ActivationStats& stats, int schemaVersion);
StatsProvenance readProvenance(const H5Reader& r);           // FormatError naming the field
ActivationStats readStats(const H5Reader& r, const std::filesystem::path& file);  // FormatError on any inconsistency

}  // namespace avss::cache
