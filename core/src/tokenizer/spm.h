// SentencePiece BPE as GGUF stores it (tokenizer.ggml.model "llama": Llama 1/2, Mistral, TinyLlama;
// formats.md §5.3): no merge list, a score per piece. A text segment, spaces already "▁", starts as
// one symbol per character; the adjacent pair whose concatenation is a piece with the highest
// score merges first (leftmost on ties) until no pair is a piece. A character that is no piece
// falls back to its bytes' <0xXX> pieces, or to the unknown piece.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "avss/tokenizer.h"

namespace avss::tok {

class SpmModel {
public:
    // scores: one per token (missing ones count 0); tokenTypes may be empty. unkId −1: none.
    SpmModel(const std::vector<std::string>& tokens, const std::vector<float>& scores, const std::vector<std::int32_t>& tokenTypes,
             TokenId unkId);
    SpmModel(const SpmModel&) = delete;  // m_ids views into m_tokens' strings
    SpmModel& operator=(const SpmModel&) = delete;
    SpmModel(SpmModel&&) noexcept = default;
    SpmModel& operator=(SpmModel&&) noexcept = default;

    // Appends the ids of one segment: valid UTF-8 with spaces already replaced by "▁".
    void encode(std::string_view text, std::vector<TokenId>& out) const;

    // What a piece decodes to: a byte piece's byte, else its text with "▁" as a space.
    static std::vector<std::string> decodedPieces(const std::vector<std::string>& tokens, const std::vector<std::int32_t>& tokenTypes);

private:
    std::unordered_map<std::string_view, TokenId> m_ids;  // views into m_tokens
    std::vector<std::string> m_tokens;
    std::vector<float> m_scores;
    TokenId m_byteIds[256];  // <0xXX> piece of each byte; −1 = none
    TokenId m_unkId;
};

// "▁" in place of every space (SentencePiece's escape), with one in front when prefix.
std::string spmEscape(std::string_view text, bool prefix);

// "<0x41>" → 0x41 (a byte-fallback piece); −1 when the piece is not in that form.
int bytePieceValue(const std::string& piece);

}  // namespace avss::tok
