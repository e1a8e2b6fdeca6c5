// Command-line options of an activation-statistics analysis (calibration text, windows, shards,
// thresholds, cache), shared by `avss score` and `avss sweep`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "args.h"
#include "avss/activation_stats.h"
#include "avss/corpus.h"
#include "avss/model.h"

namespace avss::cli {

struct Context;

// --data --json-field --max-tokens --seq-len --batch --shards --cache --recompute --exclude-first
// --attn --abs-thresholds --rel-thresholds; `cacheDefault` is --cache's default ("" = no cache).
std::vector<OptionSpec> statsOptions(const std::string& cacheDefault = "");
CollectOptions collectOptions(const ParsedArgs& args);
// --abs-thresholds and --rel-thresholds (part of statsOptions(); also used by `avss hallu`).
std::vector<OptionSpec> thresholdOptions();
// A comma-separated list of numbers; UsageError naming --name for anything else.
std::vector<double> doubleList(const ParsedArgs& args, const std::string& name);
// --cache FILE, or `auto`: the per-user file the explorer uses for the same identity; empty when absent.
std::filesystem::path cacheFileArg(const ParsedArgs& args, const Context& ctx, const Model& model, const Corpus& corpus,
                                   const CollectOptions& options);
// Statistics by the core's one cache-or-collect policy (avss/obtain_stats.h), reporting on stderr;
// cacheFileUsed, when given, receives the cache file it resolved (empty: none).
ActivationStats statsFor(const ParsedArgs& args, Context& ctx, const Model& model, const Corpus& corpus,
                         const std::vector<std::string>& requiredMetrics, std::filesystem::path* cacheFileUsed = nullptr);

}  // namespace avss::cli
