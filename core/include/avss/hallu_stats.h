// Activation statistics of truthful and of hallucinated answers, teacher-forced: each answer runs
// after its question, and only the answer's tokens count (question, BOS and padding are attended
// to but never measured). The two sides are ordinary ActivationStats with the same shards (shard s
// of both holds the same questions), so every AVSS preset and the HDF5 cache apply unchanged.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/answer_pairs.h"
#include "avss/cancel.h"
#include "avss/model.h"
#include "avss/obtain_stats.h"
#include "avss/progress.h"

namespace avss {

enum class AnswerSide { Truthful, Hallucinated };
const char* answerSideName(AnswerSide side);  // "truthful", "hallucinated"

struct HalluOptions {
    int batchSize = 16;        // answers per forward pass
    int shards = 8;            // groups of consecutive questions, for mean ± sd and rank stability
    bool lengthMatch = false;  // cut both answers of a pair to the shorter one's token count
    StatsSettings settings;    // excludeFirstToken must stay false: the first answer token is not a BOS
};

struct HalluStats {
    ActivationStats truthful, hallucinated;
    const ActivationStats& side(AnswerSide s) const { return s == AnswerSide::Truthful ? truthful : hallucinated; }
};

// The provenance one side's statistics get (counts left 0): what a cache lookup compares against.
// The data identity is the pairs' fingerprint plus the side and length matching.
StatsProvenance wantedHalluProvenance(const ModelInfo& model, const PairSet& pairs, const HalluOptions& options, AnswerSide side);

// Progress: stage "analysing answers", unit "answers". Throws UsageError (bad options, an answer
// longer than the model's context), Cancelled (between batches).
HalluStats collectHalluStats(const Model& model, const PairSet& pairs, const HalluOptions& options,
                             const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

struct HalluRequest {
    HalluOptions options;
    std::filesystem::path cacheDir;  // empty: no cache; else both sides under analysisCachePath(cacheDir, …)
    CachePolicy policy = CachePolicy::CacheFirst;
};

struct ObtainedHallu {
    std::optional<HalluStats> stats;  // empty only when a CacheOnly lookup missed
    bool fromCache = false;       // both sides read from the cache
    std::vector<std::filesystem::path> cacheFiles;  // [truthful, hallucinated] when a cache is used
    bool stored = false;
    std::string cacheNote;        // why the cache was not used or not written
    double collectSeconds = 0;
};

// The cache-or-collect policy of avss/obtain_stats.h for both sides at once: used only when both
// sides are cached; a damaged or newer-schema file is an IoError before the model runs.
ObtainedHallu obtainHalluStats(const Model& model, const PairSet& pairs, const HalluRequest& request,
                               const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

}  // namespace avss
