// Answers as teacher-forced token sequences: context then answer, with where the answer starts.
// One rule for the hallucination statistics and for contrastive training (docs/hallucination.md §1).
#pragma once

#include <vector>

#include "avss/answer_pairs.h"
#include "avss/tokenizer.h"

namespace avss::hallu {

struct ForcedAnswer {
    std::vector<TokenId> tokens;  // context (rightmost tokens when cut) then answer
    int answerBegin = 0;          // positions [answerBegin, size) are the answer
    int answerTokens() const { return static_cast<int>(tokens.size()) - answerBegin; }
};

struct ForcedPairs {
    std::vector<ForcedAnswer> truthful, hallucinated;  // [pair]
    int contextsCut = 0;                               // questions cut from the left to fit
};

// Context with the model's special tokens (the hallucinated answer's own when the pair has one),
// answer as " " + answer without them; lengthMatch cuts
// both answers of a pair to the shorter one. UsageError naming the pair's source line when an
// answer alone does not fit in contextLength.
ForcedPairs forceAnswers(const Tokenizer& tokenizer, const std::vector<AnswerPair>& pairs, bool lengthMatch, int contextLength);

}  // namespace avss::hallu
