// tokenizeCorpus with explicit chunk sizes, so tests can make the cutting happen on small texts.
#pragma once

#include <cstddef>

#include "avss/corpus_tokens.h"

namespace avss::corpus {

struct ChunkSizes {
    std::size_t chunkBytes = std::size_t{256} << 10;      // text tokenized per encode() call (at least)
    std::size_t maxPendingBytes = std::size_t{4} << 20;   // without a safe cut this long, a cut is forced
};

CorpusTokens tokenizeCorpus(const Tokenizer& tokenizer, const Corpus& corpus, std::int64_t maxTokens, const ChunkSizes& sizes);

}  // namespace avss::corpus
