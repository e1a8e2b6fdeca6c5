// Cutting the calibration text into windows and shards (see windows.h).
#include "analysis/windows.h"

#include <cmath>

#include "avss/corpus_tokens.h"
#include "avss/error.h"

namespace avss::analysis {
namespace {

void checkThresholds(const std::vector<double>& values, const char* what) {
    for (double v : values) {
        if (!(v > 0) || !std::isfinite(v)) {
            throw UsageError({}, std::string(what) + " must be positive and finite, got " + std::to_string(v));
        }
    }
}

}  // namespace

void validateOptions(const CollectOptions& o, int contextLength) {
    if (o.sequenceLength < 2 || o.sequenceLength > contextLength) {
        throw UsageError({}, "sequence length " + std::to_string(o.sequenceLength) + " is outside 2.." +
                                 std::to_string(contextLength) + " (the model's context length)", {},
                         {Setting::SequenceLength});
    }
    if (o.batchSize < 1) {
        throw UsageError({}, "batch size must be at least 1, got " + std::to_string(o.batchSize), {}, {Setting::BatchSize});
    }
    if (o.shards < 1) throw UsageError({}, "shard count must be at least 1, got " + std::to_string(o.shards), {}, {Setting::ShardCount});
    if (o.maxTokens < 0) throw UsageError({}, "max tokens must be 0 (all) or positive", {}, {Setting::MaxTokens});
    checkThresholds(o.settings.absThresholds, "absolute thresholds");
    checkThresholds(o.settings.relThresholds, "relative thresholds");
    checkThresholds({o.settings.referenceEpsilon}, "the reference epsilon");
}

WindowPlan planWindows(const Tokenizer& tokenizer, const Corpus& corpus, const CollectOptions& o, int contextLength) {
    validateOptions(o, contextLength);
    WindowPlan p;
    auto read = tokenizeCorpus(tokenizer, corpus, o.maxTokens);  // stops reading once maxTokens are there
    p.tokens = std::move(read.tokens);
    p.tokensAvailable = read.tokensRead;
    if (!read.complete) {
        p.warnings.push_back("reading stopped at max tokens after " + std::to_string(read.bytesRead) +
                             " bytes of text; tokens available counts only the tokens read");
    }
    if (read.forcedCuts > 0) {
        p.warnings.push_back(std::to_string(read.forcedCuts) +
                             " cut(s) of the text had no word boundary within 4 MiB: tokens next to them may differ from one whole-text tokenization");
    }
    p.sequenceLength = o.sequenceLength;
    p.bos = tokenizer.prependsBos();
    p.bosId = tokenizer.bosId();
    p.content = o.sequenceLength - (p.bos ? 1 : 0);
    p.windows = static_cast<int>(static_cast<std::int64_t>(p.tokens.size()) / p.content);
    const std::filesystem::path where = corpus.path.empty() ? std::filesystem::path(corpus.name) : corpus.path;
    if (p.windows == 0) {
        throw UsageError(where, "the text has " + std::to_string(p.tokens.size()) + " tokens" +
                                    (o.maxTokens > 0 ? " (within the max tokens)" : "") + ", fewer than one sequence of " +
                                    std::to_string(o.sequenceLength) + " tokens",
                         o.maxTokens > 0 ? "Use more tokens, a longer text or a smaller sequence length."
                                         : "Use a longer text or a smaller sequence length.",
                         o.maxTokens > 0 ? std::vector{Setting::SequenceLength, Setting::MaxTokens}
                                         : std::vector{Setting::SequenceLength});
    }
    const int shards = std::min(o.shards, p.windows);
    if (shards < o.shards) {
        p.warnings.push_back("only " + std::to_string(p.windows) + " sequences of " + std::to_string(o.sequenceLength) +
                             " tokens: using " + std::to_string(shards) + " shards instead of " + std::to_string(o.shards));
    }
    if (shards < 2) p.warnings.push_back("one shard only: no spread across shards and no rank stability");
    for (int s = 0; s <= shards; ++s) p.shardBegin.push_back(static_cast<int>(static_cast<std::int64_t>(s) * p.windows / shards));
    const auto dropped = static_cast<std::int64_t>(p.tokens.size()) - static_cast<std::int64_t>(p.windows) * p.content;
    if (dropped > 0) p.warnings.push_back(std::to_string(dropped) + " trailing tokens (less than one sequence) were not used");
    return p;
}

void WindowPlan::fill(int window, std::int64_t* out) const {
    const auto base = static_cast<std::size_t>(window) * static_cast<std::size_t>(content);
    int i = 0;
    if (bos) out[i++] = bosId;
    for (int t = 0; t < content; ++t) out[i++] = tokens[base + static_cast<std::size_t>(t)];
}

}  // namespace avss::analysis
