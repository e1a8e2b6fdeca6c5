// A table indexed by the first byte keeps the scan linear in practice: most positions have no
// candidate at all, and a position with candidates tries them longest first.
#include "tokenizer/special_tokens.h"

#include <algorithm>

#include "tokenizer/utf8.h"

namespace avss::tok {

SpecialTokenSplitter::SpecialTokenSplitter(const std::vector<std::string>& tokens, const std::vector<std::int32_t>& types) {
    for (std::size_t i = 0; i < types.size() && i < tokens.size(); ++i) {
        if (!isSpecialType(types[i]) || tokens[i].empty()) continue;
        // A match must never cut a character in two: the pieces go to PCRE2 without a UTF-8 check.
        if (firstInvalidUtf8(tokens[i])) continue;
        m_byFirstByte[static_cast<unsigned char>(tokens[i][0])].push_back({tokens[i], static_cast<TokenId>(i)});
        ++m_count;
    }
    for (auto& list : m_byFirstByte) {
        // Longest first; among equal texts (duplicates) the lower id wins, deterministically.
        std::stable_sort(list.begin(), list.end(),
                         [](const Entry& a, const Entry& b) { return a.text.size() > b.text.size(); });
    }
}

void SpecialTokenSplitter::split(std::string_view text, std::vector<TextSegment>& out) const {
    std::size_t textStart = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const Entry* match = nullptr;
        for (const auto& e : m_byFirstByte[static_cast<unsigned char>(text[pos])]) {
            if (text.compare(pos, e.text.size(), e.text) == 0) {
                match = &e;
                break;
            }
        }
        if (!match) {
            ++pos;
            continue;
        }
        if (pos > textStart) out.push_back({text.substr(textStart, pos - textStart), -1});
        out.push_back({{}, match->id});
        pos += match->text.size();
        textStart = pos;
    }
    if (textStart < text.size()) out.push_back({text.substr(textStart), -1});
}

}  // namespace avss::tok
