// Teacher-forced statistics of truthful and hallucinated answers (see avss/hallu_stats.h): each
// answer after its question, right-padded batches, a count mask over the answer tokens only.
#include "avss/hallu_stats.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <numeric>

#include "analysis/stats_observer.h"
#include "analysis/windows.h"
#include "avss/build_info.h"
#include "avss/stats_cache.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "util/utc_time.h"

namespace avss {
namespace {

constexpr AnswerSide kSides[] = {AnswerSide::Truthful, AnswerSide::Hallucinated};

// One teacher-forced answer: tokens = context then answer; positions [answerBegin, size) count.
struct Forced {
    std::vector<TokenId> tokens;
    int answerBegin = 0;
};

struct Tokenized {
    std::vector<Forced> side[2];  // [truthful, hallucinated][pair]
    int contextsCut = 0;          // contexts cut from the left to fit the model
};

Tokenized tokenizePairs(const Tokenizer& tok, const PairSet& pairs, bool lengthMatch, int contextLength) {
    Tokenized out;
    for (auto& s : out.side) s.reserve(pairs.pairs.size());
    for (const auto& pair : pairs.pairs) {
        const auto context = tok.encode(pair.context, /*addSpecial=*/true, /*parseSpecial=*/false);
        auto t = tok.encode(" " + pair.truthful, false, false);
        auto h = tok.encode(" " + pair.hallucinated, false, false);
        if (lengthMatch) {
            const auto n = std::min(t.size(), h.size());
            t.resize(n);
            h.resize(n);
        }
        bool cut = false;
        for (int s = 0; s < 2; ++s) {
            const auto& answer = s == 0 ? t : h;
            if (static_cast<int>(answer.size()) >= contextLength) {
                throw UsageError({}, pair.source + ": the " + std::string(answerSideName(kSides[s])) + " answer has " +
                                         std::to_string(answer.size()) + " tokens; the model's context holds " +
                                         std::to_string(contextLength) + " with the question");
            }
            const auto keep = std::min(context.size(), static_cast<std::size_t>(contextLength) - answer.size());
            cut = cut || keep < context.size();
            Forced f;
            f.tokens.assign(context.end() - static_cast<std::ptrdiff_t>(keep), context.end());  // the rightmost context tokens, as lm-eval keeps
            f.answerBegin = static_cast<int>(f.tokens.size());
            f.tokens.insert(f.tokens.end(), answer.begin(), answer.end());
            out.side[s].push_back(std::move(f));
        }
        out.contextsCut += cut ? 1 : 0;
    }
    return out;
}

// Runs answers `order` (indices into `all`) in batches, merging their statistics into `shard`.
void runAnswers(const Model::Impl& m, const std::vector<Forced>& all, const std::vector<std::size_t>& order, int batchSize,
                TokenId pad, analysis::StatsObserver& observer, ShardStats& shard, const std::function<void(int)>& advanced,
                const CancelToken* cancel) {
    model::ForwardOptions fo;
    fo.observer = &observer;
    fo.logits = model::Logits::None;
    for (std::size_t b0 = 0; b0 < order.size(); b0 += static_cast<std::size_t>(batchSize)) {
        if (cancel != nullptr) cancel->throwIfCancelled();
        const auto b = std::min(order.size() - b0, static_cast<std::size_t>(batchSize));
        std::size_t T = 0;
        for (std::size_t i = 0; i < b; ++i) T = std::max(T, all[order[b0 + i]].tokens.size());
        const auto B = static_cast<std::int64_t>(b), TT = static_cast<std::int64_t>(T);
        auto tokens = torch::full({B, TT}, static_cast<std::int64_t>(pad), torch::kInt64);
        auto attend = torch::zeros({B, TT}, torch::kBool);
        auto count = torch::zeros({B, TT}, torch::kBool);
        auto tk = tokens.accessor<std::int64_t, 2>();
        auto at = attend.accessor<bool, 2>();
        auto ct = count.accessor<bool, 2>();
        for (std::size_t i = 0; i < b; ++i) {
            const auto& f = all[order[b0 + i]];
            for (std::size_t t = 0; t < f.tokens.size(); ++t) {
                tk[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(t)] = f.tokens[t];
                at[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(t)] = true;
                ct[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(t)] = static_cast<int>(t) >= f.answerBegin;
            }
        }
        observer.beginBatch(count.to(m.device), shard);  // what is measured: the answer tokens
        model::forward(m, tokens.to(m.device), attend.to(m.device), fo);  // what is attended to: every real token
        observer.endBatch();
        advanced(static_cast<int>(b));
    }
}

std::vector<std::size_t> byLength(const std::vector<Forced>& all, std::size_t begin, std::size_t end) {
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
    StatsProvenance p;
    p.modelFingerprint = model.fingerprint;
    p.modelName = model.name;
    p.weightStorage = weightStorageName(model.weightStorage);
    p.layerCount = model.hparams.layers;
    p.hiddenSize = model.hparams.hidden;
    p.ffnSize = model.hparams.ffn;
    p.dataFingerprint = pairs.fingerprint + "|" + answerSideName(side) + (options.lengthMatch ? "|length-matched" : "");
    p.dataName = pairs.spec.file.filename().string() + " (" + answerSideName(side) + " answers)";
    p.options.sequenceLength = model.hparams.contextLength;  // each answer with its question, at most the context
    p.options.batchSize = options.batchSize;
    p.options.shards = options.shards;
    p.options.settings = options.settings;
    p.toolVersion = AVSS_VERSION;
    return p;
}

HalluStats collectHalluStats(const Model& model, const PairSet& pairs, const HalluOptions& options, const ProgressFn& progress,
                             const CancelToken* cancel) {
    const auto& m = modelImpl(model);
    validate(options, m.hp.contextLength);
    const auto forced = tokenizePairs(model.tokenizer(), pairs, options.lengthMatch, m.hp.contextLength);
    const auto P = pairs.pairs.size();
    const int shards = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(options.shards), P));
    torch::InferenceMode inference;
    HalluStats out;
    const TokenId pad = model.tokenizer().padId() >= 0 ? model.tokenizer().padId() : std::max<TokenId>(model.tokenizer().eosId(), 0);
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
        p.bosPerWindow = model.tokenizer().spec().addBos;
        p.createdUtc = utcTimestamp();
        for (const auto& f : forced.side[s]) p.tokens += static_cast<std::int64_t>(f.tokens.size()) - f.answerBegin;
        p.tokensAvailable = p.tokens;
        if (forced.contextsCut > 0) {
            p.warnings.push_back(std::to_string(forced.contextsCut) + " questions were cut from the left to fit the model's context");
        }
        p.warnings.insert(p.warnings.end(), pairs.notes.begin(), pairs.notes.end());
        stats.shards.resize(static_cast<std::size_t>(shards));
        analysis::StatsObserver observer(m.hp.layers, m.hp.hidden, m.hp.ffn, options.settings);
        for (int k = 0; k < shards; ++k) {
            const auto begin = P * static_cast<std::size_t>(k) / static_cast<std::size_t>(shards);
            const auto end = P * static_cast<std::size_t>(k + 1) / static_cast<std::size_t>(shards);
            runAnswers(m, forced.side[s], byLength(forced.side[s], begin, end), options.batchSize, pad, observer,
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
        for (const auto side : kSides) caches[side == AnswerSide::Truthful ? 0 : 1].store(out.stats->side(side));
        out.stored = true;
        for (const auto side : kSides) {
            auto& p = side == AnswerSide::Truthful ? out.stats->truthful.provenance : out.stats->hallucinated.provenance;
            p.schemaVersion = kStatsCacheSchemaVersion;
        }
    } catch (const std::filesystem::filesystem_error& e) {
        out.cacheNote = "not cached: cannot create the folder " + out.cacheFiles.front().parent_path().string() + " (" + e.code().message() + ")";
    } catch (const Error& e) {
        out.cacheNote = std::string("not cached: ") + e.what();
    }
    return out;
}

}  // namespace avss
