// Statistics options shared by `avss score` and `avss sweep`.
#include "stats_args.h"

#include <iostream>

#include "avss/error.h"
#include "avss/collect.h"
#include "avss/obtain_stats.h"
#include "context.h"
#include "number_text.h"

namespace avss::cli {

std::vector<double> doubleList(const ParsedArgs& args, const std::string& name) {
    std::vector<double> out;
    for (const auto& item : args.getList(name)) {
        char* end = nullptr;
        const double v = std::strtod(item.c_str(), &end);
        if (end == item.c_str() || *end != '\0') throw UsageError({}, "--" + name + " expects numbers, got '" + item + "'");
        out.push_back(v);
    }
    return out;
}

std::vector<OptionSpec> statsOptions(const std::string& cacheDefault) {
    return {{"data", "PATH", "calibration text: plain text, JSONL or 'builtin'", "builtin"},
            {"json-field", "NAME", "JSONL field holding the text", "text"},
            {"max-tokens", "N", "use only the first N corpus tokens (0 = all); the data is read only that far", "0"},
            {"seq-len", "L", "tokens per sequence", "256"},
            {"batch", "B", "sequences per forward pass", "8"},
            {"shards", "K", "calibration shards for sd and rank stability", "8"},
            {"cache", "FILE", "HDF5 analysis cache to reuse or write ('auto': the explorer's per-user cache; 'none': no cache)", cacheDefault},
            {"recompute", "", "ignore a matching cache and collect again", ""},
            {"exclude-first", "", "leave each sequence's first position out of the statistics", ""},
            {"attn", "", "also collect attention-output statistics", ""},
            thresholdOptions()[0], thresholdOptions()[1]};
}

std::vector<OptionSpec> thresholdOptions() {
    return {{"abs-thresholds", "LIST", "near-zero thresholds |a| < t", "1e-5,1e-4,1e-3,1e-2"},
            {"rel-thresholds", "LIST", "near-zero thresholds |a| < alpha x RMS(token)", "0.01,0.05,0.1"}};
}

CollectOptions collectOptions(const ParsedArgs& args) {
    CollectOptions o;
    o.sequenceLength = static_cast<int>(args.getInt("seq-len", 2, 1 << 20));
    o.maxTokens = args.getInt("max-tokens", 0, 1LL << 40);
    o.batchSize = static_cast<int>(args.getInt("batch", 1, 4096));
    o.shards = static_cast<int>(args.getInt("shards", 1, 4096));
    o.settings.absThresholds = doubleList(args, "abs-thresholds");
    o.settings.relThresholds = doubleList(args, "rel-thresholds");
    o.settings.excludeFirstToken = args.has("exclude-first");
    o.settings.attnOut = args.has("attn");
    return o;
}

std::filesystem::path cacheFileArg(const ParsedArgs& args, const Context& ctx, const Model& model, const Corpus& corpus,
                                   const CollectOptions& options) {
    const auto value = args.get("cache");  // the command's default when not given
    if (value.empty() || value == "none") return {};
    if (value == "auto") return analysisCachePath(ctx.cacheDir, wantedProvenance(model.info(), corpus, options));
    return value;
}

ActivationStats statsFor(const ParsedArgs& args, Context& ctx, const Model& model, const Corpus& corpus,
                         const std::vector<std::string>& requiredMetrics, std::filesystem::path* cacheFileUsed) {
    StatsRequest request;
    request.options = collectOptions(args);
    request.requiredMetrics = requiredMetrics;
    request.policy = args.has("recompute") ? CachePolicy::Recompute : CachePolicy::CacheFirst;
    request.cacheFile = cacheFileArg(args, ctx, model, corpus, request.options);
    if (cacheFileUsed != nullptr) *cacheFileUsed = request.cacheFile;
    auto got = obtainStats(model, corpus, request, ctx.progress(), ctx.cancel);
    ctx.progressBar.finish();
    if (!got.cacheNote.empty()) std::cerr << "cache: " << got.cacheNote << "\n";
    if (got.fromCache) {
        std::cerr << "cache: using " << request.cacheFile.string() << "\n";
    } else {
        const auto& p = got.stats->provenance;
        std::cerr << "analysed " << p.tokens << " tokens in " << fixed(got.collectSeconds, 1) << " s ("
                  << fixed(static_cast<double>(p.tokens) / got.collectSeconds, 0) << " tokens/s)\n";
        if (got.stored) std::cerr << "cache: wrote " << request.cacheFile.string() << "\n";
    }
    return std::move(*got.stats);
}

}  // namespace avss::cli
