// One table of the fields that change a sweep cell's scores (batch size and device do not: the
// Evaluator's numbers do not depend on them beyond rounding).
#include "sweep/cell_identity.h"

#include "avss/corpus.h"
#include "avss/weight_storage.h"
#include "util/sha256.h"

namespace avss::sweep {
namespace {

// Length-prefixed, so that no two different item lists hash the same text.
void put(util::Sha256& h, const std::string& s) {
    const std::string size = std::to_string(s.size()) + ":";
    h.update(size.data(), size.size());
    h.update(s.data(), s.size());
}
void put(util::Sha256& h, const std::vector<int>& v) {
    std::string text = "[";
    for (const int x : v) text += std::to_string(x) + ",";
    put(h, text);
}
void put(util::Sha256& h, const std::vector<std::string>& v) {
    put(h, std::to_string(v.size()));
    for (const auto& s : v) put(h, s);
}

}  // namespace

std::string taskFingerprint(const TaskData& task) {
    if (task.kind == TaskKind::Perplexity) return openCorpus(task.file.string()).fingerprint;
    util::Sha256 h;
    put(h, task.task);
    put(h, task.stopStrings);
    put(h, task.exactMatch.regexesToIgnore);
    put(h, std::string(task.exactMatch.ignoreCase ? "i" : "-") + (task.exactMatch.ignorePunctuation ? "p" : "-"));
    put(h, std::to_string(task.items.size()));
    for (const auto& item : task.items) {
        put(h, std::to_string(item.sets.size()));
        for (const auto& set : item.sets) {
            put(h, set.context);
            put(h, set.delimiter);
            put(h, set.choices);
            put(h, set.labels);
        }
        put(h, item.prompt);
        put(h, item.references);
        put(h, item.relevance);
    }
    return h.finishHex();
}

AnalysisIdentity evalCellIdentity(const ModelInfo& model, const TaskData& task, const std::string& fingerprint,
                                  const EvalOptions& o, const std::vector<int>& removed) {
    AnalysisIdentity id("eval-cell");
    id.add("engine_version", "evaluation engine version", static_cast<std::int64_t>(kEvalCellVersion));
    id.add("model_fingerprint", "model", model.fingerprint);
    id.add("weight_storage", "weight storage", std::string(weightStorageName(model.weightStorage)));
    id.add("task", "task", task.task);
    id.add("task_fingerprint", "task items", fingerprint);
    if (task.kind == TaskKind::Generation) {
        id.add("max_new_tokens", "answer token limit", static_cast<std::int64_t>(o.maxNewTokens));
    }
    if (task.kind == TaskKind::Perplexity) {
        id.add("window", "perplexity window", static_cast<std::int64_t>(o.window));
        id.add("max_tokens", "perplexity tokens", o.maxTokens);
    }
    id.add("bootstrap_iterations", "bootstrap resamples", static_cast<std::int64_t>(o.bootstrapIterations));
    id.add("bootstrap_seed", "bootstrap seed", static_cast<std::int64_t>(o.seed));
    std::vector<double> blocks(removed.begin(), removed.end());
    id.add("removed", "removed blocks", blocks);
    return id;
}

}  // namespace avss::sweep
