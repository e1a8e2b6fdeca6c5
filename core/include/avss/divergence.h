// How far a changed model (fine-tuned, pruned) has moved from its original on plain text: the mean
// per-token KL divergence of the next-token distributions, KL(P_original ‖ P_changed).
#pragma once

#include <cstdint>

#include "avss/cancel.h"
#include "avss/corpus.h"
#include "avss/model.h"

namespace avss {

struct Divergence {
    std::int64_t tokens = 0;  // predicted positions
    double meanKl = 0;        // nats per token
    double maxKl = 0;         // the largest single position
};

// Non-overlapping windows of `window` tokens (BOS first when the tokenizer adds one) over the
// first maxTokens tokens of `text`. UsageError when the models' vocabularies differ or the text is
// shorter than one window; Cancelled between windows.
Divergence klDivergence(const Model& original, const Model& changed, const Corpus& text, int window = 512,
                        std::int64_t maxTokens = 4096, const CancelToken* cancel = nullptr);

}  // namespace avss
