// The logit lens: what the model would predict if it stopped after each block. Every block's output
// residual stream (and the embeddings before block 0) goes through the final norm and the LM head;
// per layer and position: the top tokens with their probabilities, and the probability and rank of a
// target token (by default the prompt's next token). Honours a layer-skip mask, so a student can see
// what removing blocks changes. Torch-free header; docs/explorer.md, "Logit lens".
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "avss/model.h"
#include "avss/tokenizer.h"

namespace avss {

struct LensOptions {
    int topK = 5;
    std::vector<int> skipLayers;      // blocks bypassed, as EvalOptions::skipLayers
    // One target per position (−1: none). Empty: the prompt's next token at each position, none at the last.
    std::vector<TokenId> targets;
    int maxTokens = 256;              // a longer prompt is a UsageError (every layer's logits are kept)
    bool attention = false;           // also keep every layer's attention weights (LogitLens::attention)
};

struct LensCell {
    std::vector<TokenId> top;         // most probable first
    std::vector<float> topProb;
    float targetProb = std::numeric_limits<float>::quiet_NaN();  // NaN: no target at this position
    std::int64_t targetRank = -1;     // 0 = the most probable token
};

struct LensRow {
    int layer = -1;                   // −1: the embeddings; else the output of this block
    bool skipped = false;             // bypassed: the stream is the row above's, no cells
    std::vector<LensCell> positions;
};

struct LogitLens {
    std::vector<TokenId> tokens;
    std::vector<TokenId> targets;     // per position, −1 = none
    std::vector<LensRow> rows;        // embeddings, then block 0 … L−1
    std::vector<TokenId> prediction;  // the model's own next-token argmax per position (its real logits)
    // With LensOptions::attention, from the same forward pass: per block (empty when skipped) the
    // attention weights [heads][query position][key position], row-major; each query row sums to 1
    // over the keys it may see. Query head h shares key-value head h / (heads / kvHeads).
    int heads = 0;
    std::vector<std::vector<float>> attention;
    float attentionAt(int layer, int head, int query, int key) const {
        const auto T = tokens.size();
        return attention[static_cast<std::size_t>(layer)][(static_cast<std::size_t>(head) * T + static_cast<std::size_t>(query)) * T + static_cast<std::size_t>(key)];
    }
};

// Throws UsageError: empty or too long prompt, a target count that is not the prompt's length, a
// token id outside the vocabulary, topK < 1, a bad skip list.
LogitLens logitLens(const Model& model, const std::vector<TokenId>& tokens, const LensOptions& options = {});

// The lens as JSON (format "avss-logit-lens"): tokens with their targets and the model's predictions,
// then per row and position the top tokens with probabilities and the target's probability and rank.
std::string logitLensJson(const LogitLens& lens, const Tokenizer& tokenizer);
// logitLensJson() written atomically. Throws IoError.
void writeLogitLens(const std::filesystem::path& file, const LogitLens& lens, const Tokenizer& tokenizer);

}  // namespace avss
