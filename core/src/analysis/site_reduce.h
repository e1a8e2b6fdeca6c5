// The fused CPU reduction of one observation site for one batch: a single pass over each valid
// row of a contiguous float [B, T, W] tensor updates every statistic of SiteStats (and, for the
// block output, the input → output transition). Torch-free: rows are raw pointers and the
// parallel loop is injected, so the arithmetic is testable without a model.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "avss/activation_stats.h"

namespace avss::analysis {

// Which positions of a batch count, decided once per batch from the mask.
struct BatchRows {
    int batch = 0, time = 0;
    std::vector<std::vector<int>> rows;  // per sequence: positions whose statistics count
    std::vector<int> last;               // per sequence: last real position, −1 for an all-pad row
    std::int64_t count() const;
};

// mask: [B × T] row-major, non-zero = real token. excludeFirst drops each sequence's first real position.
BatchRows batchRows(const std::vector<std::uint8_t>& mask, int batch, int time, bool excludeFirst);

// Runs body(begin, end) over [0, n) split across threads; the default runs it inline.
using ParallelFor = std::function<void(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body)>;

// The smallest float f with (a < f) ⇔ ((double)a < t) for every float a.
float floatThreshold(double t);

class SiteReducer {
public:
    explicit SiteReducer(const StatsSettings& settings);
    ~SiteReducer();
    SiteReducer(SiteReducer&&) noexcept;

    // Allocates every scratch buffer a batch of this shape needs, up front. Called before the
    // forward pass so that no long-lived allocation lands between the pass's large temporaries
    // (which fragments the heap and grows the peak memory layer by layer).
    void reserve(const BatchRows& rows, int maxWidth);

    // x: [B, T, width] contiguous floats; blockIn: the block input [B, T, width] (only with
    // transition). Merges the batch into `site` (and `transition`), one batch = one refBatch.
    void reduce(const float* x, int width, const BatchRows& rows, SiteStats& site, const float* blockIn = nullptr,
                TransitionStats* transition = nullptr, const ParallelFor& parallel = {});

private:
    struct Task;
    struct Partial;
    void runTask(const Task& task, const float* x, const float* blockIn, int width, const float* shift, Partial& out) const;
    void mergePartials(const std::vector<int>& firstTaskOfSeq, const BatchRows& rows,
                       int width, const float* shift, SiteStats& site, TransitionStats* transition);

    StatsSettings m_settings;
    std::vector<double> m_abs;      // absolute thresholds, then the reference epsilon
    std::vector<float> m_absFloat;  // the same as float thresholds (floatThreshold)
    std::vector<Partial> m_partials;
    std::vector<Task> m_tasks;
    std::vector<int> m_firstTaskOfSeq;
    std::vector<double> m_s1, m_s2, m_seqSum;
    SiteStats m_batch;
};

}  // namespace avss::analysis
