// WikiQA ranking metrics and their chance values (see avss/eval_metrics.h, docs/evaluation.md §2).
#include "avss/eval_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "avss/error.h"
#include "eval/uniform_draw.h"

namespace avss {
namespace {

void checkCounts(int candidates, int relevant) {
    if (candidates < 1 || relevant < 1 || relevant > candidates) {
        throw UsageError({}, "a ranking needs 1 <= relevant <= candidates (got " + std::to_string(relevant) + " of " +
                                 std::to_string(candidates) + ")");
    }
}

// AP of a ranking given as relevance flags in rank order.
double averagePrecision(const std::vector<int>& ranked) {
    double sum = 0;
    int found = 0;
    for (std::size_t r = 0; r < ranked.size(); ++r) {
        if (ranked[r]) sum += static_cast<double>(++found) / static_cast<double>(r + 1);
    }
    return found ? sum / found : 0.0;
}

}  // namespace

RankingScore rankCandidates(const std::vector<double>& scores, const std::vector<int>& relevance) {
    if (scores.size() != relevance.size()) {
        throw UsageError({}, std::to_string(scores.size()) + " scores for " + std::to_string(relevance.size()) + " candidates");
    }
    if (std::count(relevance.begin(), relevance.end(), 0) + std::count(relevance.begin(), relevance.end(), 1) !=
        static_cast<std::ptrdiff_t>(relevance.size())) {
        throw UsageError({}, "relevance flags must be 0 or 1");
    }
    checkCounts(static_cast<int>(scores.size()), static_cast<int>(std::count(relevance.begin(), relevance.end(), 1)));
    const auto key = [&](std::size_t i) { return std::isnan(scores[i]) ? -std::numeric_limits<double>::infinity() : scores[i]; };
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
    std::vector<int> ranked;
    for (const auto i : order) ranked.push_back(relevance[i]);
    RankingScore out;
    out.averagePrecision = averagePrecision(ranked);
    out.reciprocalRank = 1.0 / static_cast<double>(std::find(ranked.begin(), ranked.end(), 1) - ranked.begin() + 1);
    out.precisionAt1 = ranked.front();
    return out;
}

double expectedReciprocalRank(int candidates, int relevant) {
    checkCounts(candidates, relevant);
    const double n = candidates, k = relevant;
    // p_r = C(n−r, k−1) / C(n, k) = P(first relevant at rank r); p_1 = k/n, p_{r+1} = p_r (n−r−k+1)/(n−r).
    double p = k / n, sum = p;
    for (int r = 1; r <= candidates - relevant; ++r) {
        p *= (n - r - k + 1) / (n - r);
        sum += p / (r + 1);
    }
    return sum;
}

double expectedAveragePrecisionExact(int candidates, int relevant) {
    checkCounts(candidates, relevant);
    if (candidates == 1) return 1.0;
    const double n = candidates, k = relevant;
    double harmonic = 0;
    for (int i = 1; i <= candidates; ++i) harmonic += 1.0 / i;
    return (k - 1) / (n - 1) + (n - k) / (n * (n - 1)) * harmonic;
}

double expectedAveragePrecision(int candidates, int relevant, int samples, std::uint64_t seed) {
    checkCounts(candidates, relevant);
    if (samples < 1) throw UsageError({}, "the Monte-Carlo estimate needs at least one sample");
    std::mt19937_64 generator(seed);
    std::vector<int> ranked(static_cast<std::size_t>(candidates), 0);
    std::fill(ranked.begin(), ranked.begin() + relevant, 1);
    double sum = 0;
    for (int s = 0; s < samples; ++s) {
        for (std::size_t i = ranked.size() - 1; i > 0; --i) std::swap(ranked[i], ranked[eval::uniformBelow(generator, i + 1)]);
        sum += averagePrecision(ranked);
    }
    return sum / samples;
}

}  // namespace avss
