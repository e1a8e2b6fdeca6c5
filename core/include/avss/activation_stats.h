// Streaming activation statistics: torch-free value types that collectStats() (collect.h) fills in
// one forward pass, that merge across batches and calibration shards, that scoreLayers()
// (layer_scores.h) turns into scores and that StatsCache (stats_cache.h) stores. Memory is
// O(layers × width) whatever the number of tokens. Layers are 0-based block numbers everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "avss/analysis_identity.h"

namespace avss {

// The tensors observed in each block (see docs/metrics.md), for the statistics and for the forward
// pass's observers alike. Values index per-site arrays and names are the cache's group names, so
// neither may change; the forward pass offers them in the order block_in, attn_out, mlp_act, block_out.
enum class StatPoint : std::uint8_t {
    BlockOut,  // residual stream leaving the block, before any final norm   [width = hidden]
    MlpAct,    // act(gate(x)) * up(x), the input of the down projection      [width = ffn]
    AttnOut,   // attention output projection, before the residual add        [width = hidden]
    BlockIn,   // residual stream entering the block: feeds transitions only, no SiteStats
};
constexpr int kStatPointCount = 3;      // points with SiteStats (LayerStats::site): all but BlockIn
constexpr int kObservedPointCount = 4;  // every point the forward pass offers an observer
const char* statPointName(StatPoint p);  // "block_out", "mlp_act", "attn_out", "block_in"

// What is measured; fixed before collection. Changing any field changes the numbers, so a cache
// written with other settings is stale.
struct StatsSettings {
    std::vector<double> absThresholds{1e-5, 1e-4, 1e-3, 1e-2};  // near zero: |a| < t (1e-5: the authors' script's ε)
    std::vector<double> relThresholds{0.01, 0.05, 0.1};         // near zero: |a| < α · RMS(token's vector)
    double referenceEpsilon = 1e-5;  // ε of the authors' scripts (reference-code preset)
    bool excludeFirstToken = false;  // drop each sequence's first position (BOS / attention sink)
    bool attnOut = false;            // also collect the attention output (block_out, mlp_act always)
};

// How text becomes sequences and shards (see collect.h). Part of the provenance.
struct CollectOptions {
    int sequenceLength = 256;     // tokens per window (BOS included when the tokenizer adds one)
    std::int64_t maxTokens = 0;   // use only the first N corpus tokens (0 = all)
    int batchSize = 8;            // windows per forward pass (only the reference-code preset depends on it)
    int shards = 8;               // calibration shards for uncertainty; reduced when there are fewer windows
    StatsSettings settings;
};

// Accumulators of one observation site (layer, point) over valid tokens. Mergeable: merging
// chunks in any order gives the same values to ~1e-12 relative.
struct SiteStats {
    std::int64_t tokens = 0;                // valid positions; padding and excluded positions never count
    std::vector<double> mean, m2;           // [width] per-channel mean and Σ(a − mean)² (Welford/Chan)
    std::vector<std::int64_t> nearZeroAbs;  // [absThresholds] elements with |a| < t
    std::vector<std::int64_t> nearZeroRel;  // [relThresholds] elements with |a| < α · rms(token)
    double hoyerSum = 0;                    // Σ over tokens of (√W − ‖a‖₁/‖a‖₂) / (√W − 1)
    // The authors' pooled variance: per sequence, the mean over its valid tokens, then the unbiased
    // variance across the width (N − 1); summed over sequences.
    std::int64_t pooledSamples = 0;
    double pooledVarSum = 0;
    // The authors' per-batch averaging: sums of per-batch values, divided by refBatches later.
    std::int64_t refBatches = 0;
    double refPooledVarSum = 0;   // Σ_batches mean over the batch's sequences of the pooled variance
    double refNearZeroSum = 0;    // Σ_batches fraction of the batch's elements with |a| < referenceEpsilon

    int width() const { return static_cast<int>(mean.size()); }
    bool empty() const { return tokens == 0; }
    double elements() const { return static_cast<double>(tokens) * width(); }
    double channelVariance() const;  // mean over channels of m2 / tokens (population, across tokens)
    void merge(const SiteStats& other);  // UsageError when widths or threshold counts differ
};

// Block input → block output over the same valid tokens (Block Influence, angular distance).
struct TransitionStats {
    std::int64_t tokens = 0;
    double cosSum = 0;        // Σ cos(in, out)
    double angleSum = 0;      // Σ arccos(cos(in, out)) / π
    double relUpdateSum = 0;  // Σ ‖out − in‖ / ‖in‖
    void merge(const TransitionStats& other);
};

// Each sequence's last token in states h_0 (input of block 0) … h_L (output of block L − 1): the
// angle between every pair, for Gromov's span distance d(ℓ, n) = arccos(cos(h_ℓ, h_ℓ+n)) / π.
struct SpanStats {
    int states = 0;                 // L + 1
    std::int64_t sequences = 0;
    std::vector<double> angleSum;   // [states × states] row-major; entry (i, j), i < j, is filled
    std::vector<double> cosSum;     // same layout
    double meanAngle(int from, int to) const;  // NaN without sequences
    void merge(const SpanStats& other);
};

struct LayerStats {
    SiteStats blockOut, mlpAct, attnOut;  // attnOut stays empty unless settings.attnOut
    TransitionStats transition;
    const SiteStats& site(StatPoint p) const;  // UsageError for BlockIn, which has no SiteStats
    SiteStats& site(StatPoint p);
};

struct ShardStats {
    std::int64_t sequences = 0;
    std::vector<LayerStats> layers;  // [layer]
    SpanStats spans;
    std::int64_t tokens() const;     // valid tokens seen by block 0
    void merge(const ShardStats& other);  // UsageError when the layouts differ
};

// Version of the engine that produces statistics (forward pass, tokenizer, reductions). Bump it
// whenever a change moves any statistic: caches written by another version are then stale, never
// reused silently (avss-paper once moved 44% across an engine change, docs/results).
constexpr int kStatsEngineVersion = 1;

// Where the numbers come from. The fields that change the numbers (the identity: engine version,
// fingerprints, options) are listed once, in core/src/analysis/stats_identity.cpp; the rest is
// what the run found.
struct StatsProvenance {
    int engineVersion = kStatsEngineVersion;  // 0: a cache written before versions were recorded
    std::string modelFingerprint, modelName;
    std::string weightStorage = "fp32";  // how the model held its weights (avss/weight_storage.h); part of the identity
    int layerCount = 0, hiddenSize = 0, ffnSize = 0;  // shapes of the stored accumulators
    std::string dataFingerprint, dataName;
    CollectOptions options;             // as requested
    std::int64_t tokensAvailable = 0;   // corpus tokens after tokenization
    std::int64_t tokens = 0;            // tokens in the analysed windows
    std::int64_t calibrationTokens = 0; // corpus tokens the windows consumed: held-out text starts after them
    int sequences = 0;                  // windows analysed
    int shardCount = 0;                 // effective shards (≤ options.shards)
    bool bosPerWindow = false;          // the tokenizer adds BOS, so every window starts with it
    std::string toolVersion;
    int schemaVersion = 0;              // cache schema it was stored in or read from (0 = neither)
    std::string createdUtc;             // ISO 8601
    std::vector<std::string> warnings;  // anything that changed what was requested
};

struct ActivationStats {
    StatsProvenance provenance;
    std::vector<ShardStats> shards;  // per calibration shard; contiguous groups of windows
    int layerCount() const { return provenance.layerCount; }
    ShardStats merged() const;       // all shards, merged in order
};

// Derived from the identity table (stats_identity.cpp): equality, the stable key that names cache
// entries (24 hex digits) and "" or the first differing field, e.g. "sequence length was 128, now 256".
AnalysisIdentity statsIdentity(const StatsProvenance& p);
std::string provenanceKey(const StatsProvenance& p);
std::string provenanceMismatch(const StatsProvenance& have, const StatsProvenance& want);
bool sameAnalysis(const StatsProvenance& a, const StatsProvenance& b);
bool operator==(const CollectOptions& a, const CollectOptions& b);  // every identity field of the options
inline bool operator!=(const CollectOptions& a, const CollectOptions& b) { return !(a == b); }

}  // namespace avss
