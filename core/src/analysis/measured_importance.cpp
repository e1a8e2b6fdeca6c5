// measureImportance(): options checked, the calibration text read once, then leave-one-out and SLEB
// on one memo of calibration perplexities, and iterative selection (iterative_selection.cpp).
#include "avss/measured_importance.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "analysis/calibration_nll.h"
#include "analysis/iterative_selection.h"
#include "avss/corpus_tokens.h"
#include "avss/error.h"

namespace avss {
namespace {

using Clock = std::chrono::steady_clock;

std::string knownIds() {
    std::string s;
    for (const auto& m : measuredMetricRegistry()) s += (s.empty() ? "" : ", ") + m.id;
    return s;
}

void checkOptions(const std::vector<std::string>& metrics, const MeasuredOptions& o) {
    if (metrics.empty()) throw UsageError({}, "no measured metric was requested (known: " + knownIds() + ")");
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        const auto& id = metrics[i];
        if (!isMeasuredMetric(id)) throw UsageError({}, "unknown measured metric '" + id + "' (known: " + knownIds() + ")");
        if (std::find(metrics.begin(), metrics.begin() + static_cast<std::ptrdiff_t>(i), id) != metrics.begin() + static_cast<std::ptrdiff_t>(i)) {
            throw UsageError({}, "measured metric '" + id + "' is requested twice");
        }
        if (const auto base = analysis::iterativeBase(id); !base.empty()) {
            if (const auto why = metricUnavailableReason(base, o.settings); !why.empty()) throw UsageError({}, why);
        }
    }
    if (o.window < 2) throw UsageError({}, "the calibration window must be at least 2 tokens, got " + std::to_string(o.window));
    if (o.batch < 1) throw UsageError({}, "the calibration batch must be at least 1 window, got " + std::to_string(o.batch));
    if (o.tokens < o.window) {
        throw UsageError({}, std::to_string(o.tokens) + " calibration tokens are fewer than one window of " + std::to_string(o.window),
                         "Use more calibration tokens or a smaller window.");
    }
    if (o.maxRemoved == 0 || o.maxRemoved < -1) {
        throw UsageError({}, "the removal limit must be at least 1 step (or −1 for half the blocks), got " + std::to_string(o.maxRemoved));
    }
}

std::vector<int> candidatesOf(int layers, const MeasuredOptions& o) {
    std::vector<int> c;
    for (int l = 0; l < layers; ++l) {
        if (!(o.protectFirst && l == 0) && !(o.protectLast && l == layers - 1)) c.push_back(l);
    }
    return c;
}

// The greedy step limit: −1 = ⌊L / 2⌋, capped at the removable blocks; an explicit limit beyond them is an error.
int stepLimit(int layers, const MeasuredOptions& o, int removable) {
    if (o.maxRemoved > removable) {
        throw UsageError({}, "cannot remove " + std::to_string(o.maxRemoved) + " of " + std::to_string(layers) + " blocks (" +
                                 std::to_string(removable) + " may be removed with the protected ends)");
    }
    const int steps = o.maxRemoved > 0 ? o.maxRemoved : std::min(layers / 2, removable);
    if (steps < 1) throw UsageError({}, "no block may be removed: the model has " + std::to_string(layers) + " blocks and its ends are protected");
    return steps;
}

// The first o.tokens corpus tokens, as collectStats() reads them; at least one full window.
std::vector<TokenId> calibrationTokens(const Model& model, const Corpus& corpus, const MeasuredOptions& o, std::vector<std::string>& notes) {
    auto tokens = tokenizeCorpus(model.tokenizer(), corpus, o.tokens).tokens;
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (n < o.window) {
        throw UsageError(corpus.path.empty() ? std::filesystem::path(corpus.name) : corpus.path,
                         "the text has " + std::to_string(n) + " tokens, fewer than one calibration window of " + std::to_string(o.window),
                         "Use a longer text or a smaller window.");
    }
    if (n < o.tokens) notes.push_back("the text has only " + std::to_string(n) + " tokens (" + std::to_string(o.tokens) + " asked)");
    return tokens;
}

struct Run {  // what every method shares: the memo, the progress and the common fields of a result
    const Model& model;
    analysis::CalibrationNll& nll;
    const MeasuredOptions& options;
    bool bos;
    const ProgressFn& progress;
    const CancelToken* cancel;

    MeasuredImportance start(const std::string& metric) const {
        MeasuredImportance r;
        r.metric = metric;
        r.layerCount = model.info().hparams.layers;
        r.bosPerWindow = bos;
        r.protectFirst = options.protectFirst;
        r.protectLast = options.protectLast;
        return r;
    }
    // One pass (or a memo hit) of a method with `total` passes.
    double measure(const std::vector<int>& skipped, const std::string& stage, int& done, int total, int& reused) const {
        if (cancel != nullptr) cancel->throwIfCancelled();
        if (nll.has(skipped)) ++reused;
        const double v = nll.nll(skipped);
        report(progress, Progress{stage, ++done, total, "passes"});
        return v;
    }
    void finish(MeasuredImportance& r, Clock::time_point started) const {
        r.windows = nll.windows();
        r.window = nll.window();
        r.tokens = static_cast<std::int64_t>(r.windows) * r.window;
        r.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    }
};

bool isBefore(const MeasuredStep& a, const MeasuredStep& b) {  // ascending value, NaN last, then block number
    if (std::isnan(a.value) != std::isnan(b.value)) return !std::isnan(a.value);
    if (a.value != b.value && !std::isnan(a.value)) return a.value < b.value;
    return a.layer < b.layer;
}

// Each block skipped alone: L + 1 passes.
MeasuredImportance leaveOneOut(const Run& run) {
    const auto started = Clock::now();
    auto r = run.start("loo-ppl");
    const int L = r.layerCount;
    r.forwardPasses = L + 1;
    int done = 0;
    r.denseNll = run.measure({}, r.metric, done, r.forwardPasses, r.reusedPasses);
    for (int l = 0; l < L; ++l) {
        const double v = run.measure({l}, r.metric, done, r.forwardPasses, r.reusedPasses);
        r.steps.push_back({l, v, v - r.denseNll});
    }
    std::sort(r.steps.begin(), r.steps.end(), isBefore);
    run.finish(r, started);
    return r;
}

// Greedy removal with re-measurement: 1 + C + (C − 1) + … + (C − k + 1) passes for C candidates, k steps.
MeasuredImportance sleb(const Run& run, const std::vector<int>& candidates, int steps) {
    const auto started = Clock::now();
    auto r = run.start("sleb");
    r.maxRemoved = steps;
    const int C = static_cast<int>(candidates.size());
    r.forwardPasses = 1 + steps * C - steps * (steps - 1) / 2;
    int done = 0;
    r.denseNll = run.measure({}, r.metric, done, r.forwardPasses, r.reusedPasses);
    std::vector<int> removed;
    for (int s = 0; s < steps; ++s) {
        MeasuredStep best{-1, std::numeric_limits<double>::infinity(), 0};
        for (int c : candidates) {
            if (std::find(removed.begin(), removed.end(), c) != removed.end()) continue;
            auto trial = removed;
            trial.push_back(c);
            const double v = run.measure(trial, r.metric, done, r.forwardPasses, r.reusedPasses);
            const double key = std::isnan(v) ? std::numeric_limits<double>::infinity() : v;  // a broken pass never wins
            if (best.layer < 0 || key < best.nll) best = {c, key, 0};  // ties: the lower block, seen first
        }
        best.value = best.nll - r.denseNll;
        removed.push_back(best.layer);
        r.steps.push_back(best);
    }
    run.finish(r, started);
    return r;
}

bool needsSteps(const std::vector<std::string>& metrics) {
    return std::any_of(metrics.begin(), metrics.end(), [](const std::string& id) { return id != "loo-ppl"; });
}

}  // namespace

void checkMeasuredRequest(const ModelInfo& model, const std::vector<std::string>& metrics, const MeasuredOptions& options) {
    checkOptions(metrics, options);
    const int layers = model.hparams.layers;
    if (options.window > model.hparams.contextLength) {
        throw UsageError({}, "the calibration window of " + std::to_string(options.window) + " tokens exceeds the model's context length " +
                                 std::to_string(model.hparams.contextLength));
    }
    if (needsSteps(metrics)) stepLimit(layers, options, static_cast<int>(candidatesOf(layers, options).size()));
}

std::vector<MeasuredImportance> measureImportance(const Model& model, const Corpus& corpus, const std::vector<std::string>& metrics,
                                                  const MeasuredOptions& options, const ProgressFn& progress, const CancelToken* cancel) {
    checkMeasuredRequest(model.info(), metrics, options);
    const int L = model.info().hparams.layers;
    const auto candidates = candidatesOf(L, options);
    const int steps = needsSteps(metrics) ? stepLimit(L, options, static_cast<int>(candidates.size())) : 0;
    std::vector<std::string> notes;
    const auto tokens = calibrationTokens(model, corpus, options, notes);
    PerplexityOptions po;
    po.window = options.window;
    po.maxTokens = options.tokens;
    po.batch = options.batch;
    po.bos = model.tokenizer().prependsBos();  // as the statistics windows
    analysis::CalibrationNll nll(model, tokens, po, cancel);
    const Run run{model, nll, options, *po.bos, progress, cancel};
    std::vector<MeasuredImportance> out;
    for (const auto& id : metrics) {
        if (id == "loo-ppl") out.push_back(leaveOneOut(run));
        else if (id == "sleb") out.push_back(sleb(run, candidates, steps));
        else out.push_back(analysis::selectIteratively(model, corpus, id, options, steps, progress, cancel));
        auto& r = out.back();
        r.notes.insert(r.notes.begin(), notes.begin(), notes.end());
        if (r.reusedPasses > 0) r.notes.push_back(std::to_string(r.reusedPasses) + " of its passes were measured already by an earlier method");
    }
    return out;
}

}  // namespace avss
