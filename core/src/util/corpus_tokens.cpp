// Streamed tokenization of a corpus (see avss/corpus_tokens.h).
#include "avss/corpus_tokens.h"

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>

#include "avss/error.h"
#include "tokenizer/stream_cut.h"
#include "util/chunked_tokens.h"
#include "util/corpus_reader.h"

namespace avss {
namespace {

// Buffers text until a safe cut, tokenizes up to it, and says when enough tokens are there.
class ChunkedEncoder {
public:
    ChunkedEncoder(const Tokenizer& tokenizer, std::int64_t maxTokens, const corpus::ChunkSizes& sizes, CorpusTokens& out)
        : m_tokenizer(tokenizer), m_cut(tokenizer), m_maxTokens(maxTokens), m_sizes(sizes), m_out(out) {}

    // false once maxTokens tokens are there
    bool add(std::string_view text) {
        while (!text.empty()) {
            const auto n = std::min(text.size(), m_sizes.chunkBytes);
            m_pending.append(text.data(), n);
            text.remove_prefix(n);
            m_out.bytesRead += n;
            drain();
            if (full()) return false;
        }
        return true;
    }

    void finish() {
        if (!full()) encodeFront(m_pending.size());
    }

private:
    bool full() const { return m_maxTokens > 0 && m_out.tokensRead >= m_maxTokens; }

    void drain() {
        while (m_pending.size() >= m_sizes.chunkBytes && !full()) {
            std::size_t p = m_cut.lastSafeCut(m_pending, m_checked);
            if (p == 0) {
                if (m_pending.size() < m_sizes.maxPendingBytes) {
                    m_checked = m_pending.size() > m_cut.lookahead() + 1 ? m_pending.size() - m_cut.lookahead() - 1 : 0;
                    return;
                }
                p = tok::utf8CutBefore(m_pending, m_pending.size());
                ++m_out.forcedCuts;
            }
            encodeFront(p);
        }
    }

    void encodeFront(std::size_t n) {
        if (n == 0) return;
        const auto ids = m_tokenizer.encode(std::string_view(m_pending).substr(0, n), /*addSpecial=*/false);
        m_out.tokensRead += static_cast<std::int64_t>(ids.size());
        m_out.tokens.insert(m_out.tokens.end(), ids.begin(), ids.end());
        m_pending.erase(0, n);
        m_checked = 0;
    }

    const Tokenizer& m_tokenizer;
    const tok::StreamCut m_cut;
    const std::int64_t m_maxTokens;
    const corpus::ChunkSizes m_sizes;
    CorpusTokens& m_out;
    std::string m_pending;
    std::size_t m_checked = 0;  // cuts before this offset of m_pending are known unsafe
};

}  // namespace

CorpusTokens corpus::tokenizeCorpus(const Tokenizer& tokenizer, const Corpus& corpus, std::int64_t maxTokens, const ChunkSizes& sizes) {
    CorpusTokens out;
    ChunkedEncoder encoder(tokenizer, maxTokens, sizes, out);
    out.complete = corpus::forEachJoinedPiece(corpus, [&](std::string_view text) { return encoder.add(text); });
    encoder.finish();
    if (maxTokens > 0 && static_cast<std::int64_t>(out.tokens.size()) > maxTokens) out.tokens.resize(static_cast<std::size_t>(maxTokens));
    return out;
}

CorpusTokens tokenizeCorpus(const Tokenizer& tokenizer, const Corpus& corpus, std::int64_t maxTokens) {
    return corpus::tokenizeCorpus(tokenizer, corpus, maxTokens, corpus::ChunkSizes{});
}

}  // namespace avss
