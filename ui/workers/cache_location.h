// Where an analysis is cached: one HDF5 file per model + data + settings under the per-user cache.
#pragma once

#include <QString>

#include "avss/activation_stats.h"

namespace avss::ui {

// <cacheDir>/analyses/<first 24 hex digits of SHA-256 over everything that changes the numbers>.h5.
// The name only finds the file; StatsCache::find still compares the full provenance.
QString analysisCacheFile(const QString& cacheDir, const avss::StatsProvenance& wanted);

// The what-if measurements stored next to an analysis cache file (<name>.whatif.json).
QString measurementFileFor(const QString& analysisCacheFile);

}  // namespace avss::ui
