// pairSelfAnswers (torch-free; see avss/self_answers.h).
#include "avss/self_answers.h"

#include <algorithm>

#include "avss/error.h"
#include "avss/eval_metrics.h"
#include "eval/python_text.h"
#include "util/sha256.h"

namespace avss {
namespace {

struct Answer {
    std::string question, context, text, source;
};

}  // namespace

PairSet pairSelfAnswers(const TaskData& task, const EvalResult& result) {
    if (task.kind != TaskKind::Generation && task.kind != TaskKind::MultipleChoice) {
        throw UsageError(task.file, "qa-self needs a generation or multiple-choice task, not " + task.task,
                         "Use nq_open, triviaqa, qa, sciq, truthfulqa or sst2.");
    }
    if (result.records.size() != task.items.size()) {
        throw UsageError(task.file, "the evaluation has " + std::to_string(result.records.size()) + " item records for " +
                                        std::to_string(task.items.size()) + " items (evaluate with records)");
    }
    std::vector<Answer> right, wrong;
    for (std::size_t i = 0; i < task.items.size(); ++i) {
        const auto& item = task.items[i];
        const auto& record = result.records[i];
        if (record.source != item.source || record.values.empty()) {
            throw UsageError(task.file, "record " + std::to_string(i + 1) + " is not item " + item.source);
        }
        Answer a{item.question, item.prompt, record.generation, item.source};
        if (task.kind == TaskKind::MultipleChoice) {  // the first set decides (TruthfulQA: MC1), as the task's first metric
            const auto& set = item.sets.front();
            const auto& ll = record.loglik.front();
            if (ll.size() != set.choices.size() || ll.empty()) throw UsageError(task.file, item.source + ": the record's choices do not match");
            const auto chosen = static_cast<std::size_t>(argmaxFirst(ll));  // the choice `acc`/`mc1` scored (ties, NaN: as it)
            a.context = set.context;
            a.text = set.choices[chosen];
        }
        if (eval::pythonStrip(a.text).empty()) continue;  // an empty generation is neither a right nor a wrong answer
        (record.values.front() >= 1.0 ? right : wrong).push_back(std::move(a));
    }
    const auto total = right.size() + wrong.size();
    if (right.empty() || wrong.empty()) {
        throw FormatError(task.file, "the model answered " + std::to_string(right.size()) + " of " + std::to_string(total) +
                                         " questions right: qa-self needs right and wrong answers",
                          "Use more items (--limit) or an easier task.");
    }
    PairSet set;
    set.spec.file = task.file;
    set.spec.format = PairFormat::SelfAnswers;
    set.spec.limit = static_cast<std::int64_t>(task.items.size());
    set.questions = static_cast<std::int64_t>(total);
    util::Sha256 digest;  // the answers themselves: another model or task gives other pairs
    const auto n = std::min(right.size(), wrong.size());
    for (std::size_t i = 0; i < n; ++i) {
        AnswerPair p{right[i].context, right[i].text, wrong[i].text, right[i].source + " / " + wrong[i].source, right[i].question,
                     wrong[i].context};
        for (const auto* part : {&p.context, &p.truthful, &p.hallucinatedContext, &p.hallucinated}) {
            digest.update(part->data(), part->size());
            digest.update("\x1f", 1);
        }
        set.pairs.push_back(std::move(p));
    }
    set.unpaired = static_cast<std::int64_t>(total - 2 * n);
    set.fingerprint = digest.finishHex() + "|qa-self|" + task.task;
    set.notes.push_back("qa-self on " + task.task + ": " + std::to_string(right.size()) + " of " + std::to_string(total) +
                        " answers right (" + (task.kind == TaskKind::Generation ? "exact match" : "highest-likelihood choice") + "); " +
                        std::to_string(n) + " right/wrong pairs, each answer after its own question; " + std::to_string(set.unpaired) +
                        " answers of the larger side unpaired");
    return set;
}

}  // namespace avss
