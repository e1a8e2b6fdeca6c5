// obtainStats(): the cache-or-collect policy stated in avss/obtain_stats.h.
#include "avss/obtain_stats.h"

#include <chrono>

#include "analysis/windows.h"
#include "avss/collect.h"
#include "avss/error.h"
#include "avss/layer_scores.h"
#include "avss/stats_cache.h"

namespace avss {

std::filesystem::path analysisCachePath(const std::filesystem::path& cacheDir, const StatsProvenance& wanted) {
    return cacheDir / "analyses" / (provenanceKey(wanted) + ".h5");
}

ObtainedStats obtainStats(const Model& model, const Corpus& corpus, const StatsRequest& request,
                          const ProgressFn& progress, const CancelToken* cancel) {
    analysis::validateOptions(request.options, model.info().hparams.contextLength);
    for (const auto& id : request.requiredMetrics) {
        const auto why = metricUnavailableReason(id, request.options.settings);
        if (!why.empty()) throw UsageError({}, why, "Add the threshold or statistics it needs to the settings.");
    }
    ObtainedStats out;
    std::optional<StatsCache> cache;
    if (!request.cacheFile.empty()) {
        cache.emplace(request.cacheFile);
        auto lookup = cache->find(wantedProvenance(model.info(), corpus, request.options));
        if (lookup.status == CacheStatus::Invalid || lookup.status == CacheStatus::NewerSchema) {
            throw IoError({}, lookup.reason, "The file is neither used nor replaced; choose another cache file or delete it.");
        }
        if (lookup.hit() && request.policy != CachePolicy::Recompute) {
            out.stats = std::move(lookup.stats);
            out.fromCache = true;
            return out;
        }
        if (lookup.hit()) out.cacheNote = "recomputing as asked; the cached statistics are replaced";
        else if (lookup.status != CacheStatus::Missing) out.cacheNote = lookup.reason;
    }
    if (request.policy == CachePolicy::CacheOnly) return out;
    const auto start = std::chrono::steady_clock::now();
    out.stats = collectStats(model, corpus, request.options, progress, cancel);
    if (cancel != nullptr) cancel->throwIfCancelled();  // a cancel during the last batch leaves the cache alone
    out.collectSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (cache) {
        try {
            std::filesystem::create_directories(request.cacheFile.parent_path().empty() ? "." : request.cacheFile.parent_path());
            cache->store(*out.stats);
            out.stored = true;
            out.stats->provenance.schemaVersion = kStatsCacheSchemaVersion;  // as a later read of the file reports it
        } catch (const std::filesystem::filesystem_error& e) {
            out.cacheNote = "not cached: cannot create the folder " + request.cacheFile.parent_path().string() + " (" + e.code().message() + ")";
        } catch (const Error& e) {
            out.cacheNote = std::string("not cached: ") + e.what();
        }
    }
    return out;
}

}  // namespace avss
