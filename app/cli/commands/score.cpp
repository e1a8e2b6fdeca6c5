// avss score MODEL --data PATH: activation statistics in one pass (or from an HDF5 cache), every
// layer metric with its spread across shards, rank stability, agreement and a pruning plan; with
// --measured also leave-one-out, SLEB or iterative selection measured on the same text.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "../commands.h"
#include "../context.h"
#include "../number_text.h"
#include "../measured_args.h"
#include "../pruning_args.h"
#include "../stats_args.h"
#include "avss/collect.h"
#include "avss/corpus.h"
#include "avss/error.h"
#include "avss/layer_scores.h"
#include "avss/measured_importance.h"
#include "avss/obtain_stats.h"
#include "avss/pruning_plan.h"
#include "avss/score_report.h"
#include "avss/stats_cache.h"

namespace avss::cli {
namespace {

constexpr std::size_t kMetricsPerTable = 5;  // keeps the table under ~110 columns

ActivationStats statsFromCache(const ParsedArgs& args) {
    if (args.positionalCount() > 0) throw UsageError({}, "MODEL is not used with --from-cache (the cache holds all statistics)");
    if (args.has("measured")) throw UsageError({}, "--measured runs MODEL on the text, so it cannot score from --from-cache alone");
    const auto start = std::chrono::steady_clock::now();
    auto stats = StatsCache(args.get("from-cache")).load();
    std::cerr << "cache: read " << args.get("from-cache") << " in "
              << fixed(1000 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1) << " ms\n";
    return stats;
}

std::string cell(const LayerScore& s, bool usesData) {
    char buf[64];
    if (!std::isfinite(s.value)) {
        std::snprintf(buf, sizeof buf, "%9s %5s %3s", "n/a", "", "");
    } else if (!usesData || !std::isfinite(s.sd)) {
        std::snprintf(buf, sizeof buf, "%9.3g %5s r%-2d", s.value, "", s.rank);
    } else {
        const double rel = s.mean != 0 ? 100.0 * s.sd / std::fabs(s.mean) : 0.0;
        std::snprintf(buf, sizeof buf, "%9.3g ±%3.0f%% r%-2d", s.value, std::min(rel, 999.0), s.rank);
    }
    return buf;
}

void printHeader(const StatsProvenance& p) {
    std::cout << "model     " << p.modelName << " (" << p.layerCount << " layers, fingerprint " << p.modelFingerprint.substr(0, 12)
              << ")\ndata      " << p.dataName << " (fingerprint " << p.dataFingerprint.substr(0, 12) << ")\ntokens    "
              << p.tokens << " in " << p.sequences << " sequences of " << p.options.sequenceLength << (p.bosPerWindow ? " (BOS each)" : "")
              << ", " << p.shardCount << " shards, batch " << p.options.batchSize
              << (p.options.settings.excludeFirstToken ? ", first position excluded" : "") << "\n";
    for (const auto& w : p.warnings) std::cout << "note      " << w << "\n";
    std::cout << "cells     value ±sd across shards (% of mean), rN = rank (r0 = first to prune)\n";
}

void printTables(const std::vector<LayerScores>& scores) {
    for (std::size_t first = 0; first < scores.size(); first += kMetricsPerTable) {
        const auto last = std::min(scores.size(), first + kMetricsPerTable);
        std::cout << "\nlayer";
        for (auto i = first; i < last; ++i) std::printf(" | %-20s", scores[i].metric.c_str());
        std::cout << std::flush;
        std::printf("\n");
        for (std::size_t l = 0; l < scores[first].layers.size(); ++l) {
            std::printf("%5zu", l);
            for (auto i = first; i < last; ++i) {
                std::printf(" | %-20s", cell(scores[i].layers[l], findMetric(scores[i].metric).usesData).c_str());
            }
            std::printf("\n");
        }
        std::fflush(stdout);
    }
}

void printStability(const std::vector<LayerScores>& scores) {
    if (scores.empty()) return;
    const int k = scores.front().stability.bottomCount;
    std::cout << "\nlowest " << k << " layers (rank 0.." << k - 1 << ") and rank stability across shards\n";
    std::printf("%-20s %-28s %-13s %-13s %s\n", "metric", "lowest set", "tau mean/min", "set changed", "Jaccard");
    for (const auto& s : scores) {
        const auto& st = s.stability;
        const std::string tau = st.applicable ? fixed(st.kendallTauMean, 2) + "/" + fixed(st.kendallTauMin, 2) : "n/a";
        const std::string changed = st.applicable ? fixed(100 * st.bottomSetChangedFraction, 0) + "% of " + std::to_string(st.shards) : "n/a";
        std::printf("%-20s %-28s %-13s %-13s %s\n", s.metric.c_str(), setText(s.bottomSet).c_str(), tau.c_str(), changed.c_str(),
                    st.applicable ? fixed(st.bottomSetJaccardMean, 2).c_str() : "n/a");
    }
}

void printAgreement(const MetricAgreement& a) {
    std::cout << "\nagreement between metrics: Kendall tau of ranks (upper right), Jaccard of lowest-" << a.bottomCount
              << " sets (lower left)\n";
    std::printf("%-22s", "");
    for (std::size_t j = 0; j < a.metrics.size(); ++j) std::printf(" %5zu", j);
    std::printf("\n");
    for (std::size_t i = 0; i < a.metrics.size(); ++i) {
        std::printf("%2zu %-19s", i, a.metrics[i].c_str());
        for (std::size_t j = 0; j < a.metrics.size(); ++j) {
            const double v = i == j ? NAN : (j > i ? a.kendallTau[i][j] : a.jaccard[i][j]);
            std::printf(" %5s", i == j ? "-" : fixed(v, 2).c_str());
        }
        std::printf("\n");
    }
    std::fflush(stdout);
}

void printPlans(const ScoreReport& r) {
    std::cout << "\npruning plans\n";
    for (const auto& p : r.plans) std::cout << "  " << p.metric << ": remove " << setText(p.removed) << "   (" << p.description << ")\n";
    if (r.plans.size() < r.scores.size()) std::cout << "  (metrics that prune high values first get no mass-based plan)\n";
    if (r.spanPlan) std::cout << "  " << r.spanPlan->metric << ": remove " << setText(r.spanPlan->removed) << "   (" << r.spanPlan->description << ")\n";
    for (const auto& p : r.plans) {
        for (const auto& n : p.notes) std::cout << "  note: " << p.metric << ": " << n << "\n";
    }
    bool header = false;
    for (const auto& s : r.scores) {
        for (const auto& w : s.warnings) {
            if (!header) std::cout << "\nwarnings\n";
            header = true;
            std::cout << "  " << w << "\n";
        }
    }
}

ScoreReportOptions reportOptions(const ParsedArgs& args) {
    ScoreReportOptions o;
    o.metrics = args.getList("metrics");
    o.scoring.seed = static_cast<std::uint64_t>(args.getInt("seed", 0, 1LL << 62));
    o.rule = pruningRuleFromArgs(args);
    o.spanLength = static_cast<int>(args.getInt("span", 0, 1 << 20));
    return o;
}

void printUnavailable(const ScoreReport& r) {
    if (r.unavailable.empty()) return;
    std::cout << "\nnot scored (these statistics cannot)\n";
    for (const auto& u : r.unavailable) std::cout << "  " << u.metric << ": " << u.reason << "\n";
}

// The measured metrics' orders, values and cost (their per-layer values are in the tables above).
void printMeasured(const std::vector<MeasuredImportance>& list) {
    if (list.empty()) return;
    std::cout << "\nmeasured importance (NLL in nats/token; value = NLL increase, or the one-shot score when removed)\n";
    for (const auto& m : list) {
        std::cout << "  " << m.metric << ": " << m.tokens << " calibration tokens in " << m.windows << " windows of " << m.window
                  << ", " << m.forwardPasses << " passes (" << m.reusedPasses << " measured already), " << fixed(m.seconds, 1) << " s";
        if (std::isfinite(m.denseNll)) std::cout << ", dense NLL " << fixed(m.denseNll, 4);
        std::cout << "\n    " << (m.isGreedy() ? "removal order" : "least important first") << ":";
        for (std::size_t i = 0; i < m.steps.size(); ++i) {
            char value[32];
            std::snprintf(value, sizeof value, "%+.4g", m.steps[i].value);
            std::cout << (i ? ", " : " ") << m.steps[i].layer << " (" << value << ")";
        }
        std::cout << "\n";
        for (const auto& n : m.notes) std::cout << "    note: " << n << "\n";
    }
}

int runScore(const ParsedArgs& args, Context& ctx) {
    const auto options = reportOptions(args);
    ScoreReport report;
    if (args.has("from-cache")) {
        report = buildScoreReport(statsFromCache(args), options);
    } else {
        if (args.positionalCount() == 0) throw UsageError({}, "MODEL is required (or --from-cache FILE)");
        const auto corpus = openCorpus(args.get("data"), CorpusOptions{args.get("json-field")});  // checked, not held
        const auto model = ctx.loadModel(args);
        const auto measured = args.getList("measured");
        const auto measuredOptions = measuredOptionsFromArgs(args, collectOptions(args).settings);
        if (!measured.empty()) checkMeasuredRequest(model->info(), measured, measuredOptions);  // before any pass
        report = buildScoreReport(statsFor(args, ctx, *model, corpus, args.getList("metrics")), options);
        if (!measured.empty()) {
            addMeasured(report, measureImportance(*model, corpus, measured, measuredOptions, ctx.progress(), ctx.cancel), options);
            ctx.progressBar.finish();
        }
    }
    printHeader(report.provenance);
    printTables(report.scores);
    printStability(report.scores);
    printAgreement(report.agreement);
    printPlans(report);
    printMeasured(report.measured);
    printUnavailable(report);
    std::cout << "\nscored " << report.scores.size() << " metrics in " << fixed(report.scoringSeconds * 1000, 1) << " ms\n";
    if (args.has("out")) {
        writeScoreReport(args.get("out"), report);
        std::cerr << "wrote " << args.get("out") << "\n";
    }
    return 0;
}

}  // namespace

CommandSpec scoreCommand() {
    CommandSpec c;
    c.name = "score";
    c.summary = "Layer scores (AVSS presets, Block Influence, angular distance, ...) with uncertainty";
    c.description =
        "Runs MODEL once over the calibration text and collects streaming statistics of every block, then\n"
        "scores the layers with every metric (docs/metrics.md). The text is tokenized once (no special\n"
        "tokens), cut into non-overlapping --seq-len windows (BOS first only if the tokenizer adds BOS;\n"
        "the remainder is dropped) and split into --shards contiguous shards: each score is reported as\n"
        "the all-data value with its sd across shards, plus rank stability. rank 0 = first to prune.\n"
        "--cache FILE reuses or writes an HDF5 cache (--cache auto: the explorer's per-user file for\n"
        "these settings); --from-cache FILE rescores without the model. Metrics these statistics cannot\n"
        "score are listed with the reason; naming one in --metrics is an error before the model runs.\n"
        "--measured LIST adds measured metrics on the first --measured-tokens tokens of the same text:\n"
        "loo-ppl (each block skipped alone, L + 1 perplexity passes), sleb (greedy removal, about L^2/2\n"
        "passes for L/2 steps) and iterative:<metric> (remove the lowest block, collect the statistics\n"
        "again, repeat); --max-removed limits the greedy steps, --protect keeps the ends out of them.";
    c.positionals = {"MODEL"};
    c.requiredPositionals = 0;
    c.options = statsOptions();
    for (auto& o : std::vector<OptionSpec>{
             {"metrics", "LIST", "metric ids, comma-separated (default: all)", ""},
             {"measured", "LIST", "also measure loo-ppl, sleb or iterative:<metric> on the text (forward passes)", ""},
             {"out", "FILE", "write the scores as .json or .csv", ""},
             {"from-cache", "FILE", "score from this cache without the model", ""},
             {"span", "N", "Gromov span length (0 = floor(layers/4))", "0"},
             {"seed", "S", "seed of the random metric", "0"}}) {
        c.options.push_back(o);
    }
    for (auto& o : modelOptions()) c.options.push_back(o);
    for (auto& o : pruningRuleOptions()) c.options.push_back(o);
    for (auto& o : measuredOptions()) c.options.push_back(o);
    c.run = runScore;
    return c;
}

}  // namespace avss::cli
