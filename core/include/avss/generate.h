// Text generation with the KV cache: greedy, or temperature + top-p sampling with a seed; one prompt
// (generate) or many at once (generateBatch: left-padded batches, finished sequences dropped).
#pragma once

#include <cstddef>
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
    std::uint64_t seed = 0;         // sampling is reproducible for a given seed (batch: sequence i uses seed + i)
    bool stopAtEos = true;          // stop after the tokenizer's EOS token
    std::vector<int> skipLayers;    // what-if pruning: bypassed blocks (0-based)
    // Stop strings (lm-evaluation-harness `until` semantics): a sequence ends as soon as the decoded
    // text of its generated tokens (special tokens skipped, prompt not included) contains any of them;
    // its `text` is then cut before the earliest occurrence of any stop string, while `tokens` keeps
    // every generated id (the one that completed the stop string included). Empty strings are refused.
    std::vector<std::string> stopStrings;
    int maxBatch = 32;              // generateBatch: sequences run together at most (larger lists are chunked)
};

enum class StopReason {
    Eos,         // the EOS token was generated (stopAtEos)
    StopString,  // the generated text contains a stop string
    Length,      // maxNewTokens reached (or maxNewTokens = 0)
};

const char* stopReasonName(StopReason r);  // "eos", "stop_string", "length"

// Byte offset of the earliest occurrence of any stop string in text; npos when none occurs.
std::size_t findStopString(const std::string& text, const std::vector<std::string>& stops);

struct GenerateResult {
    std::vector<TokenId> promptTokens;
    std::vector<TokenId> tokens;    // generated ids (EOS included when it stopped generation)
    std::string text;               // decoded generated tokens (special tokens skipped), cut before a stop string
    bool stoppedAtEos = false;
    bool stoppedAtString = false;   // a stop string ended generation (text was cut)
    StopReason stopReason = StopReason::Length;
    // Wall time of the whole call: generate() its one prompt; generateBatch() every result carries
    // the time of the entire call (all prompts and chunks), so total tokens / seconds is its rate.
    double seconds = 0.0;
};

// onToken (may be empty) receives each new token as soon as it is chosen. Throws UsageError on bad
// options, Cancelled when the token is cancelled (checked before every step).
GenerateResult generate(const Model& model, const std::vector<TokenId>& prompt, const GenerateOptions& options,
                        const std::function<void(TokenId)>& onToken = {}, const CancelToken* cancel = nullptr);

// Many prompts at once: prompts are sorted by length and split into chunks of at most maxBatch;
// each chunk runs as one left-padded [B, Tmax] batch (pads masked, every row keeps its own
// positions): prefilled in a few groups of similar length (so short prompts are not padded to the
// longest), then all live rows step together with one KV cache. A row finishes at EOS, a stop
// string or maxNewTokens and is then removed from the batch and the KV cache, so later steps only
// compute live rows. Results come back in input order and do not depend on how the prompts are
// batched: greedy results equal generate() on each prompt alone (up to fp32 summation order, which
// can only matter at near-ties of the top two logits), and with sampling, sequence i draws from its
// own RNG seeded with seed + i (the same tokens as generate() with that seed). onToken (may be
// empty) receives (input index, token) as each token is chosen. An empty list returns an empty
// list. Throws UsageError on bad options, an empty prompt or a prompt that does not fit the
// context with maxNewTokens (naming its index), Cancelled when cancelled (checked before every step).
std::vector<GenerateResult> generateBatch(const Model& model, const std::vector<std::vector<TokenId>>& prompts,
                                          const GenerateOptions& options,
                                          const std::function<void(std::size_t seq, TokenId token)>& onToken = {},
                                          const CancelToken* cancel = nullptr);

}  // namespace avss
