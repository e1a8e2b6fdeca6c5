// Runs a task on a model: tokenisation as lm-eval does it, the shared-context log-likelihood engine
// for choice and ranking tasks, batched greedy generation for exact-match tasks, and windowed
// perplexity; then per-item scores and their summaries (avss/eval_result.h).
#include "avss/evaluator.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "avss/corpus.h"
#include "avss/corpus_tokens.h"
#include "avss/error.h"
#include "avss/generate.h"
#include "avss/perplexity.h"
#include "eval/choice_scorer.h"
#include "eval/python_text.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace avss {
namespace {

void checkOptions(const EvalOptions& o) {
    if (o.batch < 1) throw UsageError({}, "the batch must be at least 1", {}, {Setting::BatchSize});
    if (o.maxNewTokens < 1) throw UsageError({}, "the generation limit must be at least 1 token");
    if (o.window < 2) throw UsageError({}, "the perplexity window must be at least 2 tokens", {}, {Setting::SequenceLength});
    if (o.bootstrapIterations < 0) throw UsageError({}, "bootstrap iterations cannot be negative");
}

}  // namespace

struct Evaluator::Impl {
    std::shared_ptr<const Model> model;
    std::map<std::vector<int>, std::unique_ptr<eval::ChoiceScorer>> scorers;  // one prefix cache per skip set

    eval::ChoiceScorer& scorer(const std::vector<int>& skipLayers) {
        auto& s = scorers[skipLayers];
        if (!s) s = std::make_unique<eval::ChoiceScorer>(modelImpl(*model), model::skipMask(model->info().hparams.layers, skipLayers));
        return *s;
    }
};

Evaluator::Evaluator(std::shared_ptr<const Model> model) : m_impl(std::make_unique<Impl>()) {
    if (!model) throw UsageError({}, "the evaluator needs a loaded model");
    m_impl->model = std::move(model);
}
Evaluator::~Evaluator() = default;

LoglikelihoodRequest Evaluator::tokenize(const ChoiceSet& set) const {
    const auto& tok = m_impl->model->tokenizer();
    const std::string context = eval::pythonRStrip(set.context);  // lm-eval: context.rstrip()
    const std::string moved = set.context.substr(context.size());  // the trailing whitespace goes to the continuation
    LoglikelihoodRequest r;
    r.context = tok.encode(context);
    for (const auto& choice : set.choices) {
        const auto whole = tok.encode(context + moved + set.delimiter + choice);
        const auto from = std::min(r.context.size(), whole.size());
        r.continuations.emplace_back(whole.begin() + static_cast<std::ptrdiff_t>(from), whole.end());
    }
    return r;
}

std::vector<double> Evaluator::loglikelihoods(const LoglikelihoodRequest& request, const std::vector<int>& skipLayers) {
    return m_impl->scorer(skipLayers).score({request}).front();
}

namespace {

struct RunState {
    const TaskData& task;
    const EvalOptions& options;
    const ProgressFn& progress;
    const CancelToken* cancel;
    EvalResult& result;
    std::vector<ItemScore> scores;
};

void addRecord(RunState& s, const EvalItem& item, const ItemScore& score, std::vector<std::vector<double>> loglik,
               std::string generation) {
    if (score.tie) ++s.result.ties;
    s.scores.push_back(score);
    if (!s.options.records) return;
    s.result.records.push_back(ItemRecord{item.source, score.values, std::move(loglik), std::move(generation), score.tie});
}

// Items in batches of about `batch` requests (choice sets); every set of an item in the same batch.
void runChoices(Evaluator& evaluator, eval::ChoiceScorer& scorer, RunState& s) {
    const auto total = static_cast<std::int64_t>(s.task.items.size());
    std::int64_t next = 0;
    while (next < total) {
        if (s.cancel) s.cancel->throwIfCancelled();
        std::vector<LoglikelihoodRequest> requests;
        auto end = next;
        while (end < total && (requests.empty() || static_cast<int>(requests.size()) < s.options.batch)) {
            for (const auto& set : s.task.items[static_cast<std::size_t>(end)].sets) requests.push_back(evaluator.tokenize(set));
            ++end;
        }
        const auto loglik = scorer.score(requests);
        std::size_t k = 0;
        for (auto i = next; i < end; ++i) {
            const auto& item = s.task.items[static_cast<std::size_t>(i)];
            std::vector<std::vector<double>> sets(loglik.begin() + static_cast<std::ptrdiff_t>(k),
                                                  loglik.begin() + static_cast<std::ptrdiff_t>(k + item.sets.size()));
            k += item.sets.size();
            const auto score = scoreItem(s.task, item, sets);  // before the log-likelihoods move into the record
            addRecord(s, item, score, std::move(sets), {});
        }
        next = end;
        report(s.progress, Progress{"evaluating", next, total, "items"});
    }
}

void runGeneration(const Model& model, RunState& s) {
    const auto& tok = model.tokenizer();
    GenerateOptions g;
    g.maxNewTokens = s.options.maxNewTokens;
    g.stopStrings = s.task.stopStrings;
    g.skipLayers = s.options.skipLayers;
    g.maxBatch = s.options.batch;
    const int context = model.info().hparams.contextLength;
    if (g.maxNewTokens >= context) {
        throw UsageError({}, "an answer budget of " + std::to_string(g.maxNewTokens) + " tokens leaves no room for the prompt in the model's context of " +
                                 std::to_string(context) + " tokens");
    }
    const auto room = static_cast<std::size_t>(context - g.maxNewTokens);
    const auto total = static_cast<std::int64_t>(s.task.items.size());
    // Chunks of a few batches: progress and cancel between them, same results as one call.
    const auto chunk = static_cast<std::int64_t>(s.options.batch) * 4;
    for (std::int64_t first = 0; first < total; first += chunk) {
        if (s.cancel) s.cancel->throwIfCancelled();
        const auto end = std::min(total, first + chunk);
        std::vector<std::vector<TokenId>> prompts;
        for (auto i = first; i < end; ++i) {
            auto ids = tok.encode(s.task.items[static_cast<std::size_t>(i)].prompt);
            if (ids.size() > room) ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(room));  // lm-eval keeps the rightmost
            prompts.push_back(std::move(ids));
        }
        const auto outputs = generateBatch(model, prompts, g, {}, s.cancel);
        for (auto i = first; i < end; ++i) {
            const auto& item = s.task.items[static_cast<std::size_t>(i)];
            auto text = eval::pythonStrip(outputs[static_cast<std::size_t>(i - first)].text);  // lm-eval's remove_whitespace
            const auto score = scoreItem(s.task, item, {}, text);
            addRecord(s, item, score, {}, std::move(text));
        }
        report(s.progress, Progress{"evaluating", end, total, "items"});
    }
}

// Perplexity windows per pass at most this many tokens: long windows already make large products,
// and 16 windows of 2048 tokens peaked at 2.6 GB on the sample model (measured) for no speed gain.
constexpr int kPerplexityTokensPerPass = 8192;

void runPerplexity(const Model& model, RunState& s) {
    const auto corpus = openCorpus(s.task.file.string());
    PerplexityOptions p;
    p.window = std::min(s.options.window, model.info().hparams.contextLength);
    p.maxTokens = s.options.maxTokens;
    p.batch = std::max(1, std::min(s.options.batch, kPerplexityTokensPerPass / p.window));
    p.bos = model.tokenizer().prependsBos();
    if (*p.bos) p.window = std::min(p.window, model.info().hparams.contextLength - 1);
    p.skipLayers = s.options.skipLayers;
    const auto tokens = tokenizeCorpus(model.tokenizer(), corpus, p.maxTokens).tokens;
    const auto r = perplexity(model, tokens, p, s.progress, s.cancel);
    s.result.items = r.windows;
    s.result.metrics = {summarisePerplexity(r.windowNll, model.tokenizer().vocabSize(), s.options.bootstrapIterations, s.options.seed)};
    s.result.notes.push_back(std::to_string(r.windows) + " windows of " + std::to_string(r.window) + " tokens" +
                             (r.bos ? " after BOS" : ", no BOS (the first token of each window is context only)") +
                             "; " + std::to_string(r.predictedTokens) + " tokens predicted, the remainder after the last full window dropped");
}

}  // namespace

EvalResult Evaluator::run(const TaskData& task, const EvalOptions& options, const ProgressFn& progress, const CancelToken* cancel) {
    checkOptions(options);
    const auto& model = *m_impl->model;
    model::skipMask(model.info().hparams.layers, options.skipLayers);  // UsageError naming a bad block, before any work
    const auto start = std::chrono::steady_clock::now();
    EvalResult result;
    result.task = task.task;
    result.title = task.title;
    result.format = task.format;
    result.dataFile = task.file.string();
    result.model = model.info().path.string();
    result.skipLayers = options.skipLayers;
    result.rowsRead = task.rowsRead;
    result.skipped = task.skipped;
    result.notes = task.notes;
    result.bootstrapIterations = options.bootstrapIterations;
    RunState s{task, options, progress, cancel, result, {}};
    switch (task.kind) {
        case TaskKind::Perplexity: runPerplexity(model, s); break;
        case TaskKind::Generation: runGeneration(model, s); break;
        case TaskKind::MultipleChoice:
        case TaskKind::Ranking: runChoices(*this, m_impl->scorer(options.skipLayers), s); break;
    }
    if (task.kind != TaskKind::Perplexity) {
        result.items = static_cast<std::int64_t>(s.scores.size());
        result.metrics = summariseItems(task, s.scores, options.bootstrapIterations, options.seed);
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace avss
