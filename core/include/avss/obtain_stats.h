// Cache-or-collect: the one policy by which `avss score` and the explorer get activation statistics.
//
// 1. The options and the metrics the caller insists on are checked first (UsageError), before the
//    cache is read or the model runs.
// 2. A cache file that is damaged, foreign or written by a newer version is never used and never
//    replaced: IoError naming the file, before any collection.
// 3. A cache with the same identity (provenanceKey) is used unless the policy is Recompute.
// 4. Otherwise (and not CacheOnly) the model runs and the statistics are stored; a cache that
//    cannot be written is reported in cacheNote, not fatal: the statistics are still good.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/cancel.h"
#include "avss/corpus.h"
#include "avss/model.h"
#include "avss/progress.h"

namespace avss {

enum class CachePolicy {
    CacheFirst,  // the cache when it has these statistics, else collect and store
    CacheOnly,   // look up only; never runs the model
    Recompute,   // collect even when cached, then replace the cache file
};

struct StatsRequest {
    CollectOptions options;
    std::filesystem::path cacheFile;        // empty: no cache (collect, store nothing)
    CachePolicy policy = CachePolicy::CacheFirst;
    std::vector<std::string> requiredMetrics;  // must be computable from these options (checked up front)
};

struct ObtainedStats {
    std::optional<ActivationStats> stats;  // empty only when a CacheOnly lookup missed
    bool fromCache = false;
    bool stored = false;                   // freshly collected and written to cacheFile
    std::string cacheNote;                 // why the cache was not used, or why it was not written
    double collectSeconds = 0;             // 0 when read from the cache
};

// <cacheDir>/analyses/<provenanceKey(wanted)>.h5: where the explorer (and `avss score --cache auto`)
// keep an analysis. The name only finds the file; the lookup compares the full identity.
std::filesystem::path analysisCachePath(const std::filesystem::path& cacheDir, const StatsProvenance& wanted);

// Throws UsageError, IoError (rule 2), Cancelled; collection errors as collectStats().
ObtainedStats obtainStats(const Model& model, const Corpus& corpus, const StatsRequest& request,
                          const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

}  // namespace avss
