// SentencePiece BPE by piece scores (spm.h). The pair queue holds candidates that may have gone
// stale when a neighbour merged; a popped candidate counts only if both symbols still span exactly
// the characters it was made from.
#include "tokenizer/spm.h"

#include <cstdio>
#include <queue>

#include "tokenizer/utf8.h"

namespace avss::tok {
namespace {

constexpr std::int32_t kByteType = 6;
constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581 "▁"


struct Symbol {
    std::size_t begin, length;  // bytes of the text
    int prev, next;             // −1 = none
};

struct Pair {
    float score;
    int left, right;
    std::size_t length;  // bytes of the two symbols when the pair was made
    TokenId id;
};

// Highest score first; on equal scores the leftmost pair.
struct Later {
    bool operator()(const Pair& a, const Pair& b) const { return a.score < b.score || (a.score == b.score && a.left > b.left); }
};

}  // namespace

SpmModel::SpmModel(const std::vector<std::string>& tokens, const std::vector<float>& scores,
                   const std::vector<std::int32_t>& tokenTypes, TokenId unkId)
    : m_tokens(tokens), m_scores(scores), m_unkId(unkId) {
    m_scores.resize(m_tokens.size(), 0.0f);
    for (auto& b : m_byteIds) b = -1;
    for (std::size_t i = 0; i < m_tokens.size(); ++i) {
        const auto id = static_cast<TokenId>(i);
        m_ids[m_tokens[i]] = id;  // a repeated piece keeps its last id
        const bool bytePiece = tokenTypes.empty() || tokenTypes[i] == kByteType;
        const int byte = bytePiece ? bytePieceValue(m_tokens[i]) : -1;
        if (byte >= 0 && m_byteIds[byte] < 0) m_byteIds[byte] = id;
    }
}

void SpmModel::encode(std::string_view text, std::vector<TokenId>& out) const {
    std::vector<Symbol> symbols;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto step = utf8Step(text, pos);
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({pos, step.length, index - 1, -1});
        if (index > 0) symbols[static_cast<std::size_t>(index - 1)].next = index;
        pos += step.length;
    }
    std::priority_queue<Pair, std::vector<Pair>, Later> queue;
    const auto offer = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const auto& l = symbols[static_cast<std::size_t>(left)];
        const auto& r = symbols[static_cast<std::size_t>(right)];
        const auto it = m_ids.find(text.substr(l.begin, l.length + r.length));
        if (it == m_ids.end()) return;
        queue.push({m_scores[static_cast<std::size_t>(it->second)], left, right, l.length + r.length, it->second});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) offer(i - 1, i);
    while (!queue.empty()) {
        const Pair p = queue.top();
        queue.pop();
        auto& l = symbols[static_cast<std::size_t>(p.left)];
        auto& r = symbols[static_cast<std::size_t>(p.right)];
        if (l.length == 0 || r.length == 0 || l.length + r.length != p.length) continue;  // stale
        l.length += r.length;
        r.length = 0;
        l.next = r.next;
        if (r.next >= 0) symbols[static_cast<std::size_t>(r.next)].prev = p.left;
        offer(l.prev, p.left);
        offer(p.left, l.next);
    }
    for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[static_cast<std::size_t>(i)].next) {
        const auto& s = symbols[static_cast<std::size_t>(i)];
        const auto piece = text.substr(s.begin, s.length);
        const auto it = m_ids.find(piece);
        if (it != m_ids.end()) {
            out.push_back(it->second);
            continue;
        }
        // One character that is no piece: its bytes' pieces, else the unknown piece once (else nothing).
        bool bytes = true;
        for (const char c : piece) bytes = bytes && m_byteIds[static_cast<unsigned char>(c)] >= 0;
        if (bytes) {
            for (const char c : piece) out.push_back(m_byteIds[static_cast<unsigned char>(c)]);
        } else if (m_unkId >= 0) {
            out.push_back(m_unkId);
        }
    }
}

std::vector<std::string> SpmModel::decodedPieces(const std::vector<std::string>& tokens, const std::vector<std::int32_t>& tokenTypes) {
    std::vector<std::string> out;
    out.reserve(tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const int byte = (tokenTypes.empty() || tokenTypes[i] == kByteType) ? bytePieceValue(tokens[i]) : -1;
        if (byte >= 0) {
            out.emplace_back(1, static_cast<char>(byte));
            continue;
        }
        std::string text;
        for (std::size_t pos = 0; pos < tokens[i].size();) {
            if (tokens[i].compare(pos, kSpace.size(), kSpace) == 0) {
                text += ' ';
                pos += kSpace.size();
            } else {
                text += tokens[i][pos++];
            }
        }
        out.push_back(std::move(text));
    }
    return out;
}

int bytePieceValue(const std::string& piece) {
    unsigned value = 0;
    char end = 0;
    if (piece.size() != 6 || std::sscanf(piece.c_str(), "<0x%2X%c", &value, &end) != 2 || end != '>') return -1;
    return static_cast<int>(value);
}

std::string spmEscape(std::string_view text, bool prefix) {
    std::string out;
    out.reserve(text.size() + 3);
    if (prefix) out += kSpace;
    for (const char c : text) {
        if (c == ' ') out += kSpace;
        else out += c;
    }
    return out;
}

}  // namespace avss::tok
