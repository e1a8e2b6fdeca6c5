// Safe cuts for streamed tokenization (see stream_cut.h for why the rule holds).
#include "tokenizer/stream_cut.h"

#include <algorithm>

namespace avss::tok {
namespace {

bool asciiAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool asciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

}  // namespace

StreamCut::StreamCut(const Tokenizer& tokenizer) {
    for (TokenId id = 0; id < tokenizer.vocabSize(); ++id) {
        if (!tokenizer.isSpecial(id)) continue;
        const auto& text = tokenizer.tokenText(id);
        if (text.size() < 2) continue;  // a one-byte text cannot lie across a cut
        m_specials.push_back(text);
        m_lookahead = std::max(m_lookahead, text.size() - 1);
    }
}

bool StreamCut::safeAt(std::string_view text, std::size_t p) const {
    if (p == 0 || p >= text.size() || !asciiAlnum(text[p - 1]) || !asciiSpace(text[p])) return false;
    for (const auto& s : m_specials) {
        // s would lie across p when it starts k bytes before p, 0 < k < s.size().
        for (std::size_t k = 1; k < s.size() && k <= p; ++k) {
            if (p - k + s.size() <= text.size() && text.compare(p - k, s.size(), s) == 0) return false;
        }
    }
    return true;
}

std::size_t StreamCut::lastSafeCut(std::string_view text, std::size_t from) const {
    if (text.size() <= m_lookahead + 1) return 0;
    for (std::size_t p = text.size() - m_lookahead - 1; p > 0 && p >= from; --p) {
        if (safeAt(text, p)) return p;
    }
    return 0;
}

std::size_t utf8CutBefore(std::string_view text, std::size_t limit) {
    limit = std::min(limit, text.size());
    for (std::size_t p = limit; p + 4 > limit; --p) {
        if (p == 0 || p == text.size() || (static_cast<unsigned char>(text[p]) & 0xC0) != 0x80) return p;  // not 10xxxxxx
    }
    return limit;
}

}  // namespace avss::tok
