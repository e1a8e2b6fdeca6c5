// Byte-level BPE (formats.md §5.2): a pre-token's bytes start as one symbol each (their byte-level
// character's id), then adjacent pairs merge lowest rank first, leftmost on ties, until no pair is
// in the merge list. The model is immutable; per-call state lives in BpeScratch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "avss/tokenizer.h"

namespace avss::tok {

// Working memory of one encode() call, reused across its words (never shared between threads).
struct BpeScratch {
    struct Symbol {
        TokenId id;
        std::int32_t prev, next;  // linked list over the word's symbols; -1 = none
    };
    struct Candidate {
        std::int32_t rank;
        std::int32_t left, right;  // symbol indices; stale once either symbol changed
        TokenId leftId, rightId, merged;
    };
    std::vector<Symbol> symbols;
    std::vector<Candidate> heap;
};

class BpeModel {
public:
    // tokens: vocabulary in the byte-level alphabet (index = id); merges: "left right" in rank order,
    // already checked by findSpecProblem (a merge naming unknown symbols is skipped here). A repeated
    // merge takes its last rank and a repeated token its last id, as Hugging Face's maps do.
    BpeModel(const std::vector<std::string>& tokens, const std::vector<std::string>& merges, bool ignoreMerges);
    BpeModel(const BpeModel&) = delete;  // m_ids views into m_tokens' strings
    BpeModel& operator=(const BpeModel&) = delete;
    BpeModel(BpeModel&&) noexcept = default;  // moving the vector keeps the strings where they are
    BpeModel& operator=(BpeModel&&) noexcept = default;

    // Appends the ids of one pre-token, given as raw UTF-8 bytes. A byte whose character is not in
    // the vocabulary is dropped, as Hugging Face's BPE does when unk_token is null (SmolLM2 lacks 21
    // bytes, e.g. 0x04 and 0xFF).
    void encodeWord(std::string_view bytes, std::vector<TokenId>& out, BpeScratch& scratch) const;

    std::optional<TokenId> find(std::string_view token) const;

private:
    struct Merge {
        std::int32_t rank;
        TokenId merged;
    };
    static std::uint64_t pairKey(TokenId left, TokenId right) {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) | static_cast<std::uint32_t>(right);
    }
    void pushCandidate(BpeScratch& s, std::int32_t left) const;
    void mergeAll(BpeScratch& s) const;

    std::unordered_map<std::string_view, TokenId> m_ids;  // views into m_tokens
    std::vector<std::string> m_tokens;
    std::unordered_map<std::uint64_t, Merge> m_merges;
    TokenId m_byteIds[256];  // id of each byte's single-character token; -1 = not in the vocabulary
    bool m_ignoreMerges;
};

// Splits a merge entry at its single space; nullopt when there is not exactly one.
std::optional<std::pair<std::string_view, std::string_view>> splitMerge(std::string_view merge);

}  // namespace avss::tok
