// A corpus → its token ids, read and tokenized as a stream that stops once enough tokens are read.
//
// The text is the corpus's documents joined with a blank line ("\n\n"), tokenized without added
// special tokens (special-token text is matched, as Tokenizer::encode does). It is cut into chunks
// of about 256 KiB only where tokenizing the chunks one after the other gives exactly the tokens of
// the whole text (tokenizer/stream_cut.h): a letter or digit followed by ASCII whitespace. So the
// first N tokens equal the first N of encode(corpus.joined()), while memory stays at the tokens kept
// plus one chunk and one read block (or one JSONL record, at most 64 MiB). A stretch of 4 MiB with
// no such boundary (no ASCII letter or digit before a space or line break, e.g. minified data or
// unspaced CJK text) is cut at a character boundary instead; that is counted in forcedCuts, and the
// tokens next to such a cut may differ from the whole-text tokenization.
#pragma once

#include <cstdint>
#include <vector>

#include "avss/corpus.h"
#include "avss/tokenizer.h"

namespace avss {

struct CorpusTokens {
    std::vector<TokenId> tokens;   // the first maxTokens tokens (all when maxTokens is 0 or the text is shorter)
    std::int64_t tokensRead = 0;   // tokens produced before stopping (≥ tokens.size(): the last chunk may overshoot)
    bool complete = false;         // the whole text was tokenized (false: reading stopped at maxTokens)
    std::uint64_t bytesRead = 0;   // bytes of the joined text read
    std::int64_t forcedCuts = 0;   // chunks cut without a safe boundary (see above)
};

// Streamed corpora (openCorpus) are read from their file again, checked as openCorpus checks them
// (errors name the file and line); text after the point where reading stopped is not read.
CorpusTokens tokenizeCorpus(const Tokenizer& tokenizer, const Corpus& corpus, std::int64_t maxTokens = 0);

}  // namespace avss
