// Special-token splitting, the first step of Hugging Face's pipeline (formats.md §5.1): unknown
// (type 2), control (type 3) and user-defined (type 4) token texts are matched in the raw text,
// leftmost first and the longest at that position, and become their ids directly; BPE only sees the
// text between them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "avss/tokenizer.h"

namespace avss::tok {

struct TextSegment {
    std::string_view text;  // the text between matches (empty when this is a special token)
    TokenId special = -1;   // the matched token's id, or -1 for text
};

class SpecialTokenSplitter {
public:
    // Takes the tokens whose type is 2, 3 or 4 (none when types is empty); empty texts and
    // texts that are not valid UTF-8 are ignored.
    SpecialTokenSplitter(const std::vector<std::string>& tokens, const std::vector<std::int32_t>& types);

    // Appends the segments of text in order; adjacent text is one segment and empty text is omitted.
    void split(std::string_view text, std::vector<TextSegment>& out) const;

    bool empty() const { return m_count == 0; }

private:
    struct Entry {
        std::string text;
        TokenId id;
    };
    std::array<std::vector<Entry>, 256> m_byFirstByte;  // each list sorted longest first
    std::size_t m_count = 0;
};

// "<unk>" counts: it is a special added token in Hugging Face's tokenizer.json and llama.cpp matches
// UNKNOWN-type tokens too, so WikiText's literal "<unk>" is one token everywhere.
inline bool isSpecialType(std::int32_t type) { return type == 2 || type == 3 || type == 4; }

}  // namespace avss::tok
