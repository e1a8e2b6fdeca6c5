// The held-out text of an analysis: the corpus tokens after its calibration windows. The what-if
// measurement (avss/what_if.h) runs on it, for the explorer and the CLI alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/corpus.h"
#include "avss/tokenizer.h"

namespace avss {

struct HeldOutOptions {
    std::int64_t maxTokens = 1024;  // held-out tokens to use (0 = all that follow)
    int window = 256;               // perplexity window; at least two windows are wanted
};

struct HeldOutText {
    std::vector<TokenId> tokens;
    std::int64_t start = 0;  // index of tokens[0] in the corpus token stream
    std::string note;        // set when the text overlaps the calibration windows or is short
};

// The corpus tokens after the calibration.calibrationTokens tokens the analysis used (tokenized as
// collectStats() does: no special tokens, reading no further than needed). When fewer than
// min(maxTokens, 2 windows) follow, the text's last maxTokens tokens are used and the note says
// that they overlap the calibration text. Throws UsageError (naming the file) when `corpus` is not
// the analysis's calibration data.
HeldOutText heldOutTokens(const Tokenizer& tokenizer, const Corpus& corpus, const StatsProvenance& calibration,
                          const HeldOutOptions& options);

}  // namespace avss
