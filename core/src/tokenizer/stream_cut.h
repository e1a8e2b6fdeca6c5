// Where a long text may be cut so that tokenizing the parts one after the other gives exactly the
// tokens of the whole text: what lets corpora be tokenized as a stream (avss/corpus_tokens.h).
//
// A cut at byte p is safe when text[p-1] is an ASCII letter or digit, text[p] is ASCII whitespace
// (space, \t, \n, \v, \f, \r) and no special-token text occurs across p. Why this is enough:
//  - special-token splitting is a leftmost-longest scan, so with no occurrence across p it matches
//    the same texts on each side as on the whole;
//  - no alternative of any pre-tokenizer row (pretokenizer.cpp) matches a letter or digit followed
//    by whitespace (whitespace only ever leads a piece), so no pre-token spans p, and the only
//    lookahead, (?!\S), sees whitespace at p either way: the parts split as the whole does.
// A new pre-tokenizer row must keep this true; test_corpus_tokens checks it for every row.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "avss/tokenizer.h"

namespace avss::tok {

class StreamCut {
public:
    explicit StreamCut(const Tokenizer& tokenizer);  // takes the special-token texts (types 3 and 4)

    // The largest safe cut p with from <= p, 0 < p and p + lookahead() < text.size(), or 0 when
    // there is none (a cut so far from the end is safe whatever text follows).
    std::size_t lastSafeCut(std::string_view text, std::size_t from = 0) const;

    bool safeAt(std::string_view text, std::size_t p) const;  // needs p + lookahead() < text.size()

    // Bytes a cut must see after it: the longest special-token text less one.
    std::size_t lookahead() const { return m_lookahead; }

private:
    std::vector<std::string> m_specials;
    std::size_t m_lookahead = 0;
};

// The largest p <= limit that starts a UTF-8 character or is the end (limit when none is within 3
// bytes): where a cut is forced when a text has no safe cut for a long stretch.
std::size_t utf8CutBefore(std::string_view text, std::size_t limit);

}  // namespace avss::tok
