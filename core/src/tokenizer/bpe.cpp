// BPE merge loop with a min-heap of candidate pairs over a linked list of symbols: O(n log n) per
// word, and stale heap entries are skipped on pop instead of being removed.
#include "tokenizer/bpe.h"

#include <algorithm>

#include "tokenizer/byte_level.h"
#include "tokenizer/utf8.h"

namespace avss::tok {
namespace {

// Heap order: lowest rank first, then the leftmost pair (std heaps put the "largest" on top).
bool lowerPriority(const BpeScratch::Candidate& a, const BpeScratch::Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
}

}  // namespace

std::optional<std::pair<std::string_view, std::string_view>> splitMerge(std::string_view merge) {
    const auto space = merge.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 == merge.size()) return std::nullopt;
    if (merge.find(' ', space + 1) != std::string_view::npos) return std::nullopt;
    return std::make_pair(merge.substr(0, space), merge.substr(space + 1));
}

BpeModel::BpeModel(const std::vector<std::string>& tokens, const std::vector<std::string>& merges, bool ignoreMerges)
    : m_tokens(tokens), m_ignoreMerges(ignoreMerges) {
    m_ids.reserve(m_tokens.size());
    for (std::size_t i = 0; i < m_tokens.size(); ++i) m_ids[m_tokens[i]] = static_cast<TokenId>(i);

    for (unsigned b = 0; b < 256; ++b) {
        std::string ch;
        appendUtf8(ch, byteToCodePoint(static_cast<std::uint8_t>(b)));
        m_byteIds[b] = find(ch).value_or(-1);
    }

    m_merges.reserve(merges.size());
    std::string joined;
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto parts = splitMerge(merges[rank]);
        if (!parts) continue;
        joined.assign(parts->first).append(parts->second);
        const auto left = find(parts->first), right = find(parts->second), merged = find(joined);
        if (!left || !right || !merged) continue;
        m_merges[pairKey(*left, *right)] = Merge{static_cast<std::int32_t>(rank), *merged};
    }
}

std::optional<TokenId> BpeModel::find(std::string_view token) const {
    const auto it = m_ids.find(token);
    if (it == m_ids.end()) return std::nullopt;
    return it->second;
}

void BpeModel::encodeWord(std::string_view bytes, std::vector<TokenId>& out, BpeScratch& s) const {
    if (m_ignoreMerges) {
        if (const auto whole = find(byteLevelEncode(bytes))) {
            out.push_back(*whole);
            return;
        }
    }
    s.symbols.clear();
    for (const char c : bytes) {
        const TokenId id = m_byteIds[static_cast<std::uint8_t>(c)];
        if (id < 0) continue;  // dropped, as Hugging Face does without unk_token
        const auto index = static_cast<std::int32_t>(s.symbols.size());
        s.symbols.push_back({id, index - 1, -1});
        if (index > 0) s.symbols[index - 1].next = index;
    }
    mergeAll(s);
    for (std::int32_t i = s.symbols.empty() ? -1 : 0; i >= 0; i = s.symbols[i].next) out.push_back(s.symbols[i].id);
}

void BpeModel::pushCandidate(BpeScratch& s, std::int32_t left) const {
    const std::int32_t right = s.symbols[left].next;
    if (right < 0) return;
    const TokenId leftId = s.symbols[left].id, rightId = s.symbols[right].id;
    const auto it = m_merges.find(pairKey(leftId, rightId));
    if (it == m_merges.end()) return;
    s.heap.push_back({it->second.rank, left, right, leftId, rightId, it->second.merged});
    std::push_heap(s.heap.begin(), s.heap.end(), lowerPriority);
}

void BpeModel::mergeAll(BpeScratch& s) const {
    s.heap.clear();
    for (std::int32_t i = 0; i + 1 < static_cast<std::int32_t>(s.symbols.size()); ++i) pushCandidate(s, i);
    while (!s.heap.empty()) {
        std::pop_heap(s.heap.begin(), s.heap.end(), lowerPriority);
        const BpeScratch::Candidate c = s.heap.back();
        s.heap.pop_back();
        auto& left = s.symbols[c.left];
        auto& right = s.symbols[c.right];
        // Stale: either symbol changed or they are no longer neighbours (merged symbols keep the left
        // index; the right one is unlinked and gets id -1).
        if (left.id != c.leftId || left.next != c.right || right.id != c.rightId) continue;
        left.id = c.merged;
        left.next = right.next;
        if (right.next >= 0) s.symbols[right.next].prev = c.left;
        right.id = -1;
        if (left.prev >= 0) pushCandidate(s, left.prev);
        pushCandidate(s, c.left);
    }
}

}  // namespace avss::tok
