// The analysis settings the user edits (data panel) and the session stores, with their defaults.
#pragma once

#include "avss/activation_stats.h"
#include "avss/held_out.h"
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
    avss::WeightStorage weights = avss::WeightStorage::Fp32;  // q8: compact, CPU only (avss/weight_storage.h)
    int threads = 0;                           // 0 = the application's start-up budget
    // What-if measurement on the held-out slice.
    int evalWindow = avss::HeldOutOptions{}.window;
    int evalTokens = static_cast<int>(avss::HeldOutOptions{}.maxTokens);

    avss::CollectOptions collectOptions() const {
        avss::CollectOptions o;
        o.sequenceLength = sequenceLength;
        o.maxTokens = tokens;
        o.batchSize = batchSize;
        o.shards = shards;
        return o;
    }
    // The options part compares through the core's identity (every field that changes the numbers).
    bool operator==(const AnalysisSettings& o) const {
        return collectOptions() == o.collectOptions() && device == o.device && weights == o.weights && threads == o.threads &&
               evalWindow == o.evalWindow && evalTokens == o.evalTokens;
    }
    bool operator!=(const AnalysisSettings& o) const { return !(*this == o); }
};

}  // namespace avss::ui
