// Scoring of one evaluation item and aggregation over items: lm-evaluation-harness's metrics
// (acc, acc_norm, MC1, MC2, exact match), WikiQA ranking metrics, chance floors and bootstrap
// intervals. Torch-free (docs/evaluation.md gives the formulas).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "avss/eval_task.h"

namespace avss {

// Metric names of a task in report order: sciq {acc, acc_norm}; truthfulqa {mc1, mc2};
// sst2 {acc}; nq_open/triviaqa/qa {exact_match}; wikiqa {map, mrr, p_at_1}; perplexity {perplexity}.
std::vector<std::string> metricNames(const TaskData& task);

struct ItemScore {
    std::vector<double> values;          // one per metricNames()
    std::vector<double> floors;          // the chance value of each metric for this item
    bool tie = false;                    // the winning log-likelihood was tied (argmax took the first)
};

// loglik[s][c]: summed log-likelihood of choice c of item.sets[s]; generation: the model's text
// (before stripping). Throws UsageError when the shapes do not match the item.
ItemScore scoreItem(const TaskData& task, const EvalItem& item, const std::vector<std::vector<double>>& loglik,
                    const std::string& generation = {});

// The building blocks, exposed for tests and for other analyses.
int argmaxFirst(const std::vector<double>& values);  // ties → the lowest index (numpy argmax)
double trueMass(const std::vector<double>& loglik, const std::vector<int>& labels);  // MC2, by log-sum-exp
std::string normaliseForExactMatch(std::string_view text, const ExactMatchRule& rule);
bool exactMatch(std::string_view prediction, const std::vector<std::string>& references, const ExactMatchRule& rule);

struct RankingScore { double averagePrecision = 0, reciprocalRank = 0, precisionAt1 = 0; };
// Candidates sorted by score (descending, ties by original order); needs at least one relevant.
RankingScore rankCandidates(const std::vector<double>& scores, const std::vector<int>& relevance);
double expectedReciprocalRank(int candidates, int relevant);  // of a uniformly random ranking, exact
double expectedAveragePrecision(int candidates, int relevant, int samples = 20000, std::uint64_t seed = 1);  // Monte-Carlo
// E[AP] of a uniformly random ranking in closed form: (k−1)/(n−1) + (n−k)/(n(n−1)) · H_n (1 when n = 1);
// the chance floor of `map` (the Monte-Carlo estimate above converges to it).
double expectedAveragePrecisionExact(int candidates, int relevant);

struct Interval { double low = 0, high = 0; };
// Percentile bootstrap (95 %) of the mean of `values`: `iterations` resamples with replacement,
// a fixed-seed generator, so the same inputs give the same interval on every machine.
Interval bootstrapMeanInterval(const std::vector<double>& values, int iterations = 1000, std::uint64_t seed = 1234);

}  // namespace avss
