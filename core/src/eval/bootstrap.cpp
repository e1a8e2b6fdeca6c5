// Percentile bootstrap of a mean (see avss/eval_metrics.h and docs/evaluation.md §2).
#include "avss/eval_metrics.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "avss/error.h"
#include "eval/uniform_draw.h"

namespace avss {
namespace {

// numpy.percentile's default (linear) rule on sorted values: position q·(m−1).
double percentile(const std::vector<double>& sorted, double q) {
    const double position = q * static_cast<double>(sorted.size() - 1);
    const auto low = static_cast<std::size_t>(std::floor(position));
    const std::size_t high = std::min(low + 1, sorted.size() - 1);
    const double fraction = position - static_cast<double>(low);
    return sorted[low] + fraction * (sorted[high] - sorted[low]);
}

}  // namespace

Interval bootstrapMeanInterval(const std::vector<double>& values, int iterations, std::uint64_t seed) {
    if (values.empty()) throw UsageError({}, "a bootstrap interval needs at least one value");
    const auto n = values.size();
    if (iterations <= 0) {  // no resampling asked for: the point estimate as a zero-width interval
        double sum = 0;
        for (const double v : values) sum += v;
        return {sum / static_cast<double>(n), sum / static_cast<double>(n)};
    }
    std::mt19937_64 generator(seed);
    std::vector<double> means(static_cast<std::size_t>(iterations));
    for (double& mean : means) {
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) sum += values[eval::uniformBelow(generator, n)];
        mean = sum / static_cast<double>(n);
    }
    std::sort(means.begin(), means.end());
    return {percentile(means, 0.025), percentile(means, 0.975)};
}

}  // namespace avss
