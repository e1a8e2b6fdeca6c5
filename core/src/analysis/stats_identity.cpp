// The identity table of activation statistics (see stats_identity.h) and the public functions
// that derive from it (activation_stats.h).
#include "analysis/stats_identity.h"

namespace avss::analysis {
namespace {

using P = StatsProvenance;
using V = IdentityValue;

template <class T>
T as(const V& v) { return std::get<T>(v); }

}  // namespace

const std::vector<StatsIdentityField>& statsIdentityFields() {
    // Order matters only for messages: the first differing field is reported.
    static const std::vector<StatsIdentityField> kFields = {
        {"engine_version", "statistics engine version",
         [](const P& p) -> V { return std::int64_t{p.engineVersion}; },
         [](P& p, const V& v) { p.engineVersion = static_cast<int>(as<std::int64_t>(v)); }, V{std::int64_t{0}}},
        {"model_fingerprint", "model", [](const P& p) -> V { return p.modelFingerprint; },
         [](P& p, const V& v) { p.modelFingerprint = as<std::string>(v); }, V{std::string()}},
        // Caches from before compact weights existed were all computed with fp32 weights.
        {"weight_storage", "weight storage", [](const P& p) -> V { return p.weightStorage; },
         [](P& p, const V& v) { p.weightStorage = as<std::string>(v); }, V{std::string("fp32")}},
        {"data_fingerprint", "calibration data", [](const P& p) -> V { return p.dataFingerprint; },
         [](P& p, const V& v) { p.dataFingerprint = as<std::string>(v); }, V{std::string()}},
        {"sequence_length", "sequence length", [](const P& p) -> V { return std::int64_t{p.options.sequenceLength}; },
         [](P& p, const V& v) { p.options.sequenceLength = static_cast<int>(as<std::int64_t>(v)); }, V{std::int64_t{0}}},
        {"max_tokens", "max tokens", [](const P& p) -> V { return p.options.maxTokens; },
         [](P& p, const V& v) { p.options.maxTokens = as<std::int64_t>(v); }, V{std::int64_t{0}}},
        {"batch_size", "batch size", [](const P& p) -> V { return std::int64_t{p.options.batchSize}; },
         [](P& p, const V& v) { p.options.batchSize = static_cast<int>(as<std::int64_t>(v)); }, V{std::int64_t{0}}},
        {"shards_requested", "shards", [](const P& p) -> V { return std::int64_t{p.options.shards}; },
         [](P& p, const V& v) { p.options.shards = static_cast<int>(as<std::int64_t>(v)); }, V{std::int64_t{0}}},
        {"abs_thresholds", "absolute thresholds", [](const P& p) -> V { return p.options.settings.absThresholds; },
         [](P& p, const V& v) { p.options.settings.absThresholds = as<std::vector<double>>(v); }, V{std::vector<double>()}},
        {"rel_thresholds", "relative thresholds", [](const P& p) -> V { return p.options.settings.relThresholds; },
         [](P& p, const V& v) { p.options.settings.relThresholds = as<std::vector<double>>(v); }, V{std::vector<double>()}},
        {"reference_epsilon", "reference epsilon", [](const P& p) -> V { return p.options.settings.referenceEpsilon; },
         [](P& p, const V& v) { p.options.settings.referenceEpsilon = as<double>(v); }, V{0.0}},
        {"exclude_first_token", "exclude-first-token", [](const P& p) -> V { return p.options.settings.excludeFirstToken; },
         [](P& p, const V& v) { p.options.settings.excludeFirstToken = as<bool>(v); }, V{false}},
        {"attn_out", "attention-output statistics", [](const P& p) -> V { return p.options.settings.attnOut; },
         [](P& p, const V& v) { p.options.settings.attnOut = as<bool>(v); }, V{false}},
    };
    return kFields;
}

}  // namespace avss::analysis

namespace avss {

AnalysisIdentity statsIdentity(const StatsProvenance& p) {
    AnalysisIdentity id("activation-stats");
    for (const auto& f : analysis::statsIdentityFields()) id.add(f.key, f.label, f.get(p));
    return id;
}

std::string provenanceKey(const StatsProvenance& p) { return statsIdentity(p).key(); }

std::string provenanceMismatch(const StatsProvenance& have, const StatsProvenance& want) {
    auto why = statsIdentity(have).mismatch(statsIdentity(want));
    if (why.empty()) return why;
    if (have.modelFingerprint != want.modelFingerprint) why += " (" + have.modelName + " → " + want.modelName + ")";
    else if (have.dataFingerprint != want.dataFingerprint) why += " (" + have.dataName + " → " + want.dataName + ")";
    return why;
}

bool sameAnalysis(const StatsProvenance& a, const StatsProvenance& b) { return statsIdentity(a) == statsIdentity(b); }

bool operator==(const CollectOptions& a, const CollectOptions& b) {
    StatsProvenance pa, pb;  // same empty model and data: only the options can differ
    pa.options = a;
    pb.options = b;
    return sameAnalysis(pa, pb);
}

}  // namespace avss
