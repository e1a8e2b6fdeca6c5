// Scoring of one item by metric name, with each metric's chance value (see avss/eval_metrics.h and
// docs/evaluation.md §2). Multiple choice follows lm-eval: ties go to the first choice.
#include "avss/eval_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "avss/error.h"
#include "eval/python_text.h"
#include "eval/readers.h"

namespace avss {
namespace {

int goldIndex(const ChoiceSet& set) {
    const auto it = std::find(set.labels.begin(), set.labels.end(), 1);
    if (it == set.labels.end()) throw UsageError({}, "a choice set without a true label");
    return static_cast<int>(it - set.labels.begin());
}

bool maxTied(const std::vector<double>& values) {
    const double best = values[static_cast<std::size_t>(argmaxFirst(values))];
    return std::count(values.begin(), values.end(), best) > 1;
}

// acc_norm: each log-likelihood over its choice's length in characters (Python len).
std::vector<double> perCharacter(const std::vector<double>& loglik, const ChoiceSet& set) {
    std::vector<double> out(loglik.size());
    for (std::size_t i = 0; i < loglik.size(); ++i) {
        out[i] = loglik[i] / static_cast<double>(std::max<std::size_t>(1, eval::codePointCount(set.choices[i])));
    }
    return out;
}

void checkShapes(const EvalItem& item, const std::vector<std::vector<double>>& loglik, std::size_t choicesPerSet) {
    if (loglik.size() != item.sets.size()) {
        throw UsageError({}, item.source + ": " + std::to_string(loglik.size()) + " log-likelihood rows for " +
                                 std::to_string(item.sets.size()) + " choice sets");
    }
    for (std::size_t s = 0; s < item.sets.size(); ++s) {
        const auto& set = item.sets[s];
        if (set.choices.empty() || loglik[s].size() != set.choices.size() || set.labels.size() != set.choices.size() ||
            (choicesPerSet && set.choices.size() != choicesPerSet)) {
            throw UsageError({}, item.source + ": set " + std::to_string(s) + " has " + std::to_string(set.choices.size()) +
                                     " choices, " + std::to_string(set.labels.size()) + " labels and " +
                                     std::to_string(loglik[s].size()) + " log-likelihoods");
        }
    }
}

void scoreRanking(const EvalItem& item, const std::vector<std::vector<double>>& loglik, const std::vector<std::string>& names,
                  ItemScore& out) {
    checkShapes(item, loglik, 2);
    std::vector<double> scores;
    for (const auto& pair : loglik) scores.push_back(pair[0] - pair[1]);  // loglik(yes) − loglik(no)
    const RankingScore rank = rankCandidates(scores, item.relevance);
    const int n = static_cast<int>(scores.size());
    const int k = static_cast<int>(std::count(item.relevance.begin(), item.relevance.end(), 1));
    for (const auto& name : names) {
        if (name == "map") out.values.push_back(rank.averagePrecision), out.floors.push_back(expectedAveragePrecisionExact(n, k));
        else if (name == "mrr") out.values.push_back(rank.reciprocalRank), out.floors.push_back(expectedReciprocalRank(n, k));
        else if (name == "p_at_1") out.values.push_back(rank.precisionAt1), out.floors.push_back(static_cast<double>(k) / n);
        else throw UsageError({}, "metric '" + name + "' is not a ranking metric");
    }
    out.tie = maxTied(scores);
}

void scoreChoices(const EvalItem& item, const std::vector<std::vector<double>>& loglik, const std::vector<std::string>& names,
                  ItemScore& out) {
    checkShapes(item, loglik, 0);
    const ChoiceSet& first = item.sets.front();
    const double chance = 1.0 / static_cast<double>(first.choices.size());
    for (const auto& name : names) {
        if (name == "acc" || name == "mc1") {
            out.values.push_back(argmaxFirst(loglik[0]) == goldIndex(first) ? 1.0 : 0.0);
            out.floors.push_back(chance);
        } else if (name == "acc_norm") {
            out.values.push_back(argmaxFirst(perCharacter(loglik[0], first)) == goldIndex(first) ? 1.0 : 0.0);
            out.floors.push_back(chance);
        } else if (name == "mc2") {
            if (item.sets.size() < 2) throw UsageError({}, item.source + ": MC2 needs a second choice set");
            const ChoiceSet& mc2 = item.sets[1];
            out.values.push_back(trueMass(loglik[1], mc2.labels));
            out.floors.push_back(static_cast<double>(std::count(mc2.labels.begin(), mc2.labels.end(), 1)) /
                                 static_cast<double>(mc2.labels.size()));
        } else {
            throw UsageError({}, "metric '" + name + "' is not a multiple-choice metric");
        }
    }
    out.tie = maxTied(loglik[0]);
}

}  // namespace

std::vector<std::string> metricNames(const TaskData& task) {
    const auto* names = eval::registeredMetrics(task.task);
    if (!names) throw UsageError({}, "unknown task '" + task.task + "'");
    return *names;
}

int argmaxFirst(const std::vector<double>& values) {
    if (values.empty()) throw UsageError({}, "argmax of no values");
    std::size_t best = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isnan(values[i])) return static_cast<int>(i);  // numpy: the first NaN wins
        if (values[i] > values[best]) best = i;
    }
    return static_cast<int>(best);
}

double trueMass(const std::vector<double>& loglik, const std::vector<int>& labels) {
    if (loglik.size() != labels.size() || loglik.empty()) {
        throw UsageError({}, std::to_string(loglik.size()) + " log-likelihoods for " + std::to_string(labels.size()) + " labels");
    }
    const double top = *std::max_element(loglik.begin(), loglik.end());
    if (!std::isfinite(top)) {  // every choice impossible (or NaN): no preference, the equal-mass value
        return static_cast<double>(std::count(labels.begin(), labels.end(), 1)) / static_cast<double>(labels.size());
    }
    double all = 0, truth = 0;
    for (std::size_t i = 0; i < loglik.size(); ++i) {
        const double mass = std::exp(loglik[i] - top);  // log-sum-exp: the largest term is 1
        all += mass;
        if (labels[i] == 1) truth += mass;
    }
    return truth / all;
}

ItemScore scoreItem(const TaskData& task, const EvalItem& item, const std::vector<std::vector<double>>& loglik,
                    const std::string& generation) {
    const auto names = metricNames(task);
    ItemScore out;
    switch (task.kind) {
        case TaskKind::MultipleChoice: scoreChoices(item, loglik, names, out); break;
        case TaskKind::Ranking: scoreRanking(item, loglik, names, out); break;
        case TaskKind::Generation:
            for (std::size_t i = 0; i < names.size(); ++i) {
                out.values.push_back(exactMatch(generation, item.references, task.exactMatch) ? 1.0 : 0.0);
                out.floors.push_back(0.0);
            }
            break;
        case TaskKind::Perplexity: throw UsageError({}, "perplexity is not scored item by item");
    }
    return out;
}

}  // namespace avss
