// Teacher-forced statistics of truthful and hallucinated answers (see avss/hallu_stats.h): each
// answer after its question, right-padded batches, a count mask over the answer tokens only.
#include "avss/hallu_stats.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <numeric>

#include "analysis/stats_observer.h"
#include "analysis/windows.h"
#include "avss/collect.h"
#include "avss/stats_cache.h"
#include "hallu/answer_batch.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "util/utc_time.h"

namespace avss {
namespace {

constexpr AnswerSide kSides[] = {AnswerSide::Truthful, AnswerSide::Hallucinated};

// Runs answers `order` (indices into `all`) in batches, merging their statistics into `shard`.
void runAnswers(const Model::Impl& m, const std::vector<hallu::ForcedAnswer>& all, const std::vector<std::size_t>& order, int batchSize,
                TokenId pad, analysis::StatsObserver& observer, ShardStats& shard, const std::function<void(int)>& advanced,
                const CancelToken* cancel) {
    model::ForwardOptions fo;
    fo.observer = &observer;
    fo.logits = model::Logits::None;
    for (std::size_t b0 = 0; b0 < order.size(); b0 += static_cast<std::size_t>(batchSize)) {
        if (cancel != nullptr) cancel->throwIfCancelled();
        const auto b = std::min(order.size() - b0, static_cast<std::size_t>(batchSize));
        std::vector<const hallu::ForcedAnswer*> answers;
        for (std::size_t i = 0; i < b; ++i) answers.push_back(&all[order[b0 + i]]);
        const auto batch = hallu::answerBatch(answers, pad);
        observer.beginBatch(batch.answer.to(m.device), shard);  // what is measured: the answer tokens
        model::forward(m, batch.tokens.to(m.device), batch.attend.to(m.device), fo);  // what is attended to: every real token
        observer.endBatch();
        advanced(static_cast<int>(b));
    }
}

std::vector<std::size_t> byLength(const std::vector<hallu::ForcedAnswer>& all, std::size_t begin, std::size_t end) {
    std::vector<std::size_t> idx(end - begin);
    std::iota(idx.begin(), idx.end(), begin);
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return all[a].tokens.size() < all[b].tokens.size(); });
    return idx;  // similar lengths share a batch: less padding; statistics do not depend on the order
}

void validate(const HalluOptions& o, int contextLength) {
    if (o.settings.excludeFirstToken) {
        throw UsageError({}, "excluding the first position does not apply to answers: the first answer token is a word, not a BOS");
    }
    CollectOptions c;
    c.sequenceLength = contextLength;
    c.batchSize = o.batchSize;
    c.shards = o.shards;
    c.settings = o.settings;
    analysis::validateOptions(c, contextLength);
}

}  // namespace

const char* answerSideName(AnswerSide side) { return side == AnswerSide::Truthful ? "truthful" : "hallucinated"; }

StatsProvenance wantedHalluProvenance(const ModelInfo& model, const PairSet& pairs, const HalluOptions& options, AnswerSide side) {
    auto p = modelProvenance(model);
    p.dataFingerprint = pairs.fingerprint + "|" + answerSideName(side) + (options.lengthMatch ? "|length-matched" : "");
    p.dataName = pairs.spec.file.filename().string() + " (" + answerSideName(side) + " answers)";
    p.options.sequenceLength = model.hparams.contextLength;  // each answer with its question, at most the context
    p.options.batchSize = options.batchSize;
    p.options.shards = options.shards;
    p.options.settings = options.settings;
    return p;
}

HalluStats collectHalluStats(const Model& model, const PairSet& pairs, const HalluOptions& options, const ProgressFn& progress,
                             const CancelToken* cancel) {
    const auto& m = modelImpl(model);
    validate(options, m.hp.contextLength);
    const auto forced = hallu::forceAnswers(model.tokenizer(), pairs.pairs, options.lengthMatch, m.hp.contextLength);
    const auto P = pairs.pairs.size();
    const int shards = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(options.shards), P));
    torch::InferenceMode inference;
    HalluStats out;
    const TokenId pad = hallu::padToken(model.tokenizer());
    const std::int64_t total = static_cast<std::int64_t>(2 * P);
    std::int64_t done = 0;
    const auto advanced = [&](int n) {
        done += n;
        report(progress, Progress{"analysing answers", done, total, "answers"});
    };
    report(progress, Progress{"analysing answers", 0, total, "answers"});
    for (int s = 0; s < 2; ++s) {
        auto& stats = s == 0 ? out.truthful : out.hallucinated;
        auto& p = stats.provenance;
        p = wantedHalluProvenance(model.info(), pairs, options, kSides[s]);
        p.sequences = static_cast<int>(P);
        p.shardCount = shards;
        p.bosPerWindow = model.tokenizer().prependsBos();
        p.createdUtc = utcTimestamp();
        const auto& side = s == 0 ? forced.truthful : forced.hallucinated;
        for (const auto& f : side) p.tokens += f.answerTokens();
        p.tokensAvailable = p.tokens;
        if (forced.contextsCut > 0) {
            p.warnings.push_back(std::to_string(forced.contextsCut) + " questions were cut from the left to fit the model's context");
        }
        p.warnings.insert(p.warnings.end(), pairs.notes.begin(), pairs.notes.end());
        stats.shards.resize(static_cast<std::size_t>(shards));
        analysis::StatsObserver observer(m.hp.layers, m.hp.hidden, m.hp.ffn, options.settings);
        observer.splitOverKernelThreads(!model::bf16OnCpu(m));
        for (int k = 0; k < shards; ++k) {
            const auto begin = P * static_cast<std::size_t>(k) / static_cast<std::size_t>(shards);
            const auto end = P * static_cast<std::size_t>(k + 1) / static_cast<std::size_t>(shards);
            runAnswers(m, side, byLength(side, begin, end), options.batchSize, pad, observer,
                       stats.shards[static_cast<std::size_t>(k)], advanced, cancel);
        }
    }
    return out;
}

ObtainedHallu obtainHalluStats(const Model& model, const PairSet& pairs, const HalluRequest& request, const ProgressFn& progress,
                               const CancelToken* cancel) {
    validate(request.options, model.info().hparams.contextLength);
    ObtainedHallu out;
    std::vector<StatsCache> caches;
    if (!request.cacheDir.empty()) {
        std::vector<ActivationStats> hits;
        for (const auto side : kSides) {
            const auto wanted = wantedHalluProvenance(model.info(), pairs, request.options, side);
            out.cacheFiles.push_back(analysisCachePath(request.cacheDir, wanted));
            caches.emplace_back(out.cacheFiles.back());
            auto lookup = caches.back().find(wanted);
            if (lookup.status == CacheStatus::Invalid || lookup.status == CacheStatus::NewerSchema) {
                throw IoError({}, lookup.reason, "The file is neither used nor replaced; delete it or choose another cache folder.");
            }
            if (lookup.hit()) hits.push_back(std::move(*lookup.stats));
            else if (lookup.status != CacheStatus::Missing && out.cacheNote.empty()) out.cacheNote = lookup.reason;
        }
        if (hits.size() == 2 && request.policy != CachePolicy::Recompute) {
            out.stats = HalluStats{std::move(hits[0]), std::move(hits[1])};
            out.fromCache = true;
            return out;
        }
        if (hits.size() == 2) out.cacheNote = "recomputing as asked; the cached statistics are replaced";
    }
    if (request.policy == CachePolicy::CacheOnly) return out;
    const auto start = std::chrono::steady_clock::now();
    out.stats = collectHalluStats(model, pairs, request.options, progress, cancel);
    if (cancel != nullptr) cancel->throwIfCancelled();
    out.collectSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (caches.empty()) return out;
    try {
        std::filesystem::create_directories(out.cacheFiles.front().parent_path());
        for (std::size_t i = 0; i < caches.size(); ++i) caches[i].store(out.stats->side(kSides[i]));  // caches are in kSides order
        out.stored = true;
        for (auto* side : {&out.stats->truthful, &out.stats->hallucinated}) side->provenance.schemaVersion = kStatsCacheSchemaVersion;
    } catch (const std::filesystem::filesystem_error& e) {
        out.cacheNote = "not cached: cannot create the folder " + out.cacheFiles.front().parent_path().string() + " (" + e.code().message() + ")";
    } catch (const Error& e) {
        out.cacheNote = std::string("not cached: ") + e.what();
    }
    return out;
}

}  // namespace avss
