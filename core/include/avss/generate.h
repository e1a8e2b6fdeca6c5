// Text generation with the KV cache: greedy, or temperature + top-p sampling with a seed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "avss/cancel.h"
#include "avss/model.h"

namespace avss {

struct GenerateOptions {
    int maxNewTokens = 64;
    double temperature = 0.0;       // 0 = greedy (argmax)
    double topP = 1.0;              // nucleus mass kept when sampling
    std::uint64_t seed = 0;         // sampling is reproducible for a given seed
    bool stopAtEos = true;          // stop after the tokenizer's EOS token
    std::vector<int> skipLayers;    // what-if pruning: bypassed blocks (0-based)
};

struct GenerateResult {
    std::vector<TokenId> promptTokens;
    std::vector<TokenId> tokens;    // generated ids (EOS included when it stopped generation)
    std::string text;               // decoded generated tokens
    bool stoppedAtEos = false;
    double seconds = 0.0;
};

// onToken (may be empty) receives each new token as soon as it is chosen. Throws UsageError on bad
// options, Cancelled when the token is cancelled (checked before every step).
GenerateResult generate(const Model& model, const std::vector<TokenId>& prompt, const GenerateOptions& options,
                        const std::function<void(TokenId)>& onToken = {}, const CancelToken* cancel = nullptr);

}  // namespace avss
