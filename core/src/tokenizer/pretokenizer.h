// Pre-tokenizers of byte-level BPE models as data: one row per tokenizer.ggml.pre id, each a list of
// regexes applied in turn (llama.cpp's regex-list form of Hugging Face's Sequence of Split/Digits/
// ByteLevel pre-tokenizers). BPE never merges across the pieces produced here.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/regex.h"

namespace avss::tok {

struct PreTokenizerRow {
    std::vector<std::string_view> ids;       // tokenizer.ggml.pre values that select this row
    std::vector<std::string_view> patterns;  // Hugging Face spelling (\s is rewritten when compiled)
    bool ignoreMerges = false;               // BPE emits a whole pre-token found in the vocabulary
};

const std::vector<PreTokenizerRow>& preTokenizerTable();

// The regexes behind two Hugging Face pre-tokenizers: ByteLevel(use_regex = true) and
// Digits(individual_digits = true); Split stages carry their own.
std::string_view byteLevelRegex();
std::string_view eachDigitRegex();
// The row whose patterns are exactly `patterns` (tokenizer.json's pre-tokenizer as regexes), or null.
const PreTokenizerRow* preTokenizerRowFor(const std::vector<std::string>& patterns);

// "smollm, starcoder, gpt2, ..." for error messages.
std::string knownPreTokenizerIds();

class PreTokenizer {
public:
    // Throws UnsupportedError listing the known ids when `pre` has no row.
    explicit PreTokenizer(std::string_view pre);

    // Calls onPiece for each pre-token of text, in order; the pieces concatenate to text. Each regex
    // splits every piece of the previous one (matches and gaps both kept). text must be valid UTF-8.
    // Const and thread-safe.
    void split(std::string_view text, const std::function<void(std::string_view)>& onPiece) const;

    bool ignoreMerges() const { return m_ignoreMerges; }

private:
    void splitFrom(std::size_t stage, std::string_view text,
                   const std::function<void(std::string_view)>& onPiece) const;

    std::vector<Regex> m_stages;
    bool m_ignoreMerges = false;
};

}  // namespace avss::tok
