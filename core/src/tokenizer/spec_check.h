// Consistency checks of a TokenizerSpec, shared by the Tokenizer constructor (which reports the spec
// field) and the GGUF loader (which reports the file and the metadata key).
#pragma once

#include <optional>
#include <string>

#include "avss/tokenizer.h"

namespace avss::tok {

enum class SpecField { Tokens, TokenTypes, Merges, Scores, BosId, EosId, UnkId, PadId };
const char* specFieldName(SpecField field);  // "tokens", "tokenTypes", ...

struct SpecProblem {
    SpecField field;
    std::string what;  // e.g. "merge 17 'a b': 'b' is not in the vocabulary"
};

// The first problem found: empty vocabulary, per-token arrays of the wrong length, a special id out
// of range, a merge that is not "left right" or whose parts or concatenation are not tokens.
std::optional<SpecProblem> findSpecProblem(const TokenizerSpec& spec);

}  // namespace avss::tok
