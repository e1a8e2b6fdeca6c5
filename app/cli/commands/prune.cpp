// avss prune MODEL --out FILE: write a depth-pruned GGUF (explicit layers, a plan from an analysis
// cache, or the plan of a measured metric run on --data), with the reload self-check.
#include <iostream>

#include "../commands.h"
#include "../context.h"
#include "../measured_args.h"
#include "../pruning_args.h"
#include "avss/corpus.h"
#include "avss/error.h"
#include "avss/layer_scores.h"
#include "avss/measured_importance.h"
#include "avss/metric_guide.h"
#include "avss/prune_export.h"
#include "avss/stats_cache.h"

namespace avss::cli {
namespace {

std::string joined(const std::vector<int>& v) {
    std::string s;
    for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
    return s;
}

// The plan of a measured --metric, measured on --data now.
std::vector<int> measuredPlan(const ParsedArgs& args, Context& ctx, const Model& model) {
    const auto metric = args.get("metric");
    if (!isMeasuredMetric(metric)) throw UsageError({}, "--data is for a measured --metric (loo-ppl, sleb, iterative:<metric>), not " + metric);
    const auto corpus = openCorpus(args.get("data"));
    const auto measured = measureImportance(model, corpus, {metric}, measuredOptionsFromArgs(args), ctx.progress(), ctx.cancel);
    ctx.progressBar.finish();
    const auto plan = planMeasuredPruning(measured.front(), pruningRuleFromArgs(args));
    std::cerr << "plan: " << plan.description << "\n";
    for (const auto& n : plan.notes) std::cerr << "note: " << n << "\n";
    return plan.removed;
}

// The layers to remove: --remove, the plan of --metric under the rule options on --from-cache, or
// the plan of a measured --metric on --data.
std::vector<int> layersToRemove(const ParsedArgs& args, Context& ctx, const Model& model) {
    if (args.has("remove") + args.has("from-cache") + args.has("data") != 1) {
        throw UsageError({}, "give one of --remove LIST, --from-cache FILE or --data TEXT (the last two with --metric and rule options)");
    }
    if (args.has("remove")) return args.getIntList("remove");
    if (args.has("data")) return measuredPlan(args, ctx, model);
    const auto stats = StatsCache(args.get("from-cache")).load();
    if (stats.provenance.modelFingerprint != model.info().fingerprint) {
        throw UsageError(args.get("from-cache"), "was computed for another model (fingerprint " +
                                                     stats.provenance.modelFingerprint.substr(0, 12) + "…)",
                         "Score this model first: avss score MODEL --cache FILE.");
    }
    const auto plan = planPruning(scoreLayers(stats, args.get("metric")), pruningRuleFromArgs(args));
    std::cerr << "plan: " << plan.description << "\n";
    return plan.removed;
}

int runPrune(const ParsedArgs& args, Context& ctx) {
    if (!args.has("out")) throw UsageError({}, "--out FILE is required");
    const auto model = ctx.loadModel(args);
    const auto removed = layersToRemove(args, ctx, *model);
    ExportOptions o;
    o.selfCheck = !args.has("no-check");
    const auto format = args.has("format") ? args.get("format") : std::string("same");
    if (format != "same" && format != "hf" && format != "gguf") throw UsageError({}, "--format expects 'same', 'hf' or 'gguf', not '" + format + "'");
    o.format = format == "hf" ? ExportFormat::HfFolder : format == "gguf" ? ExportFormat::Gguf : ExportFormat::SameAsSource;
    const auto r = exportPrunedModel(*model, removed, args.get("out"), o, ctx.progress(), ctx.cancel);
    ctx.progressBar.finish();
    std::cout << "wrote        " << r.path.string() << " (" << r.bytes << " bytes)\n"
              << "layers       " << r.layersBefore << " -> " << r.kept.size() << "\n"
              << "removed      " << joined(r.removed) << "\n"
              << "kept         " << joined(r.kept) << " (renumbered 0.." << r.kept.size() - 1 << ")\n";
    if (r.selfChecked) {
        std::cout << "self-check   passed: reloaded file vs skip-mask forward, max |diff| " << r.maxLogitDiff
                  << " (max |logit| " << r.maxLogit << ")\n";
    } else {
        std::cout << "self-check   skipped (--no-check)\n";
    }
    return 0;
}

}  // namespace

CommandSpec pruneCommand() {
    CommandSpec c;
    c.name = "prune";
    c.summary = "Write a depth-pruned copy of MODEL (blocks removed and renumbered), checked by reloading it";
    c.description = "Layers come from --remove, or from a pruning plan: --from-cache FILE --metric ID plus the rule\n"
                    "options (the same as 'avss score'), or --data TEXT with a measured --metric (loo-ppl, sleb,\n"
                    "iterative:<metric>), measured now on the start of TEXT. Tensors are copied byte for byte;\n"
                    "block_count and per-layer metadata are updated; the removed original layer numbers are stored\n"
                    "as avss.pruned.removed_layers.";
    c.positionals = {"MODEL"};
    c.requiredPositionals = 1;
    c.options = {{"out", "FILE", "output .gguf (a new folder for a Hugging Face model or with --format hf)", ""},
                 {"format", "KIND", "same (the source's format), hf (a Hugging Face folder, also from a GGUF) or gguf (also from a folder); converted weights are F32", "same"},
                 {"remove", "LIST", "original block numbers to remove, e.g. 3,5,10-12", ""},
                 {"from-cache", "FILE", "HDF5 analysis of this model (avss score --cache)", ""},
                 {"metric", "ID", "metric whose plan to apply (see avss score; the default is the best measured, docs/results/pruning.md)",
                  defaultPruneMetric().id},
                 {"data", "TEXT", "measure a measured --metric on this text (plain text, JSONL or 'builtin')", ""},
                 {"no-check", "", "skip the reload self-check", ""}};
    for (auto& o : modelOptions()) c.options.push_back(o);
    for (auto& o : pruningRuleOptions()) c.options.push_back(o);
    for (auto& o : measuredOptions()) c.options.push_back(o);
    c.run = runPrune;
    return c;
}

}  // namespace avss::cli
