// The analysis settings the user edits (data panel) and the session stores, with their defaults.
#pragma once

#include "avss/activation_stats.h"
#include "avss/model.h"

namespace avss::ui {

struct AnalysisSettings {
    // 12 windows of 256 tokens from the ~3,900-token built-in text leave ~800 held-out tokens for
    // the what-if perplexity; 6 shards of 2 windows give a shard spread for every score.
    int tokens = 3072;
    int sequenceLength = 256;
    int batchSize = 4;
    int shards = 6;
    avss::Device device = avss::Device::Auto;  // best available: CUDA when libtorch has it and a GPU is present
    int threads = 0;                           // 0 = the application's start-up budget
    // What-if measurement on the held-out slice.
    int evalWindow = 256;
    int evalTokens = 1024;

    avss::CollectOptions collectOptions() const {
        avss::CollectOptions o;
        o.sequenceLength = sequenceLength;
        o.maxTokens = tokens;
        o.batchSize = batchSize;
        o.shards = shards;
        return o;
    }
    bool operator==(const AnalysisSettings& o) const {
        return tokens == o.tokens && sequenceLength == o.sequenceLength && batchSize == o.batchSize && shards == o.shards &&
               device == o.device && threads == o.threads && evalWindow == o.evalWindow && evalTokens == o.evalTokens;
    }
    bool operator!=(const AnalysisSettings& o) const { return !(*this == o); }
};

}  // namespace avss::ui
