// Fused per-batch reduction (see site_reduce.h). Work is split into tasks of at most kChunk rows
// of one sequence; each task writes its own partial sums, merged afterwards in task order, so the
// result does not depend on the thread count. Per-channel sums are taken about a shift (the
// batch's first counted row) in double, which keeps Σ(a − c)² − (Σ(a − c))²/n well conditioned.
#include "analysis/site_reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "avss/error.h"

namespace avss::analysis {
namespace {
constexpr int kChunk = 64;  // rows per task: enough work per task, few partial buffers
}

struct SiteReducer::Task {
    int seq = 0, time = 0, begin = 0, end = 0;  // rows[seq][begin, end) of a [B, time, W] tensor
    const std::vector<int>* positions = nullptr;
};

struct SiteReducer::Partial {
    std::vector<double> s1, s2;         // [W] Σ(a − c), Σ(a − c)²
    std::vector<std::int64_t> absCount, relCount;
    double hoyer = 0, cos = 0, angle = 0, relUpdate = 0;
    void reset(int width, std::size_t nAbs, std::size_t nRel) {
        s1.assign(static_cast<std::size_t>(width), 0.0);
        s2.assign(static_cast<std::size_t>(width), 0.0);
        absCount.assign(nAbs, 0);
        relCount.assign(nRel, 0);
        hoyer = cos = angle = relUpdate = 0;
    }
};

std::int64_t BatchRows::count() const {
    std::int64_t n = 0;
    for (const auto& r : rows) n += static_cast<std::int64_t>(r.size());
    return n;
}

BatchRows batchRows(const std::vector<std::uint8_t>& mask, int batch, int time, bool excludeFirst) {
    if (mask.size() != static_cast<std::size_t>(batch) * static_cast<std::size_t>(time)) {
        throw UsageError({}, "mask has " + std::to_string(mask.size()) + " entries for a " + std::to_string(batch) + " x " +
                                 std::to_string(time) + " batch");
    }
    BatchRows r;
    r.batch = batch;
    r.time = time;
    r.rows.resize(static_cast<std::size_t>(batch));
    r.last.assign(static_cast<std::size_t>(batch), -1);
    for (int b = 0; b < batch; ++b) {
        bool first = true;
        for (int t = 0; t < time; ++t) {
            if (!mask[static_cast<std::size_t>(b) * static_cast<std::size_t>(time) + static_cast<std::size_t>(t)]) continue;
            r.last[static_cast<std::size_t>(b)] = t;
            if (first && excludeFirst) {
                first = false;
                continue;
            }
            first = false;
            r.rows[static_cast<std::size_t>(b)].push_back(t);
        }
    }
    return r;
}

float floatThreshold(double t) {
    float f = static_cast<float>(t);
    if (static_cast<double>(f) < t) f = std::nextafter(f, std::numeric_limits<float>::infinity());
    return f;
}

SiteReducer::SiteReducer(const StatsSettings& settings) : m_settings(settings), m_abs(settings.absThresholds) {
    m_abs.push_back(settings.referenceEpsilon);
}
SiteReducer::~SiteReducer() = default;
SiteReducer::SiteReducer(SiteReducer&&) noexcept = default;

namespace {

std::int64_t countBelow(const float* p, int width, float t) {
    std::int64_t c = 0;
#pragma omp simd reduction(+ : c)
    for (int w = 0; w < width; ++w) c += std::fabs(p[w]) < t ? 1 : 0;
    return c;
}

struct RowNorms {
    double sq = 0, abs = 0;
};

// One pass over a row: per-channel shifted sums plus the row's L2² and L1.
RowNorms accumulateRow(const float* p, const float* shift, int width, double* s1, double* s2) {
    double sq = 0, ab = 0;
#pragma omp simd reduction(+ : sq, ab)
    for (int w = 0; w < width; ++w) {
        const double a = p[w];
        const double d = a - shift[w];
        s1[w] += d;
        s2[w] += d * d;
        sq += a * a;
        ab += std::fabs(a);
    }
    return {sq, ab};
}

struct Pair {
    double dot = 0, inSq = 0, diffSq = 0;
};

Pair compareRows(const float* in, const float* out, int width) {
    double dot = 0, inSq = 0, diffSq = 0;
#pragma omp simd reduction(+ : dot, inSq, diffSq)
    for (int w = 0; w < width; ++w) {
        const double a = in[w], b = out[w];
        dot += a * b;
        inSq += a * a;
        diffSq += (b - a) * (b - a);
    }
    return {dot, inSq, diffSq};
}

double hoyer(const RowNorms& n, int width) {
    if (width < 2) return 0.0;
    if (n.sq <= 0) return 1.0;  // an all-zero vector is maximally sparse
    const double root = std::sqrt(static_cast<double>(width));
    return (root - n.abs / std::sqrt(n.sq)) / (root - 1.0);
}

}  // namespace

void SiteReducer::runTask(const Task& task, const float* x, const float* blockIn, int width, const float* shift,
                          Partial& out) const {
    const auto W = static_cast<std::size_t>(width);
    std::vector<float> absT(m_abs.size());
    for (std::size_t k = 0; k < m_abs.size(); ++k) absT[k] = floatThreshold(m_abs[k]);
    for (int i = task.begin; i < task.end; ++i) {
        const std::size_t row = static_cast<std::size_t>(task.seq) * static_cast<std::size_t>(task.time) +
                                static_cast<std::size_t>((*task.positions)[static_cast<std::size_t>(i)]);
        const float* p = x + row * W;
        const auto norms = accumulateRow(p, shift, width, out.s1.data(), out.s2.data());
        for (std::size_t k = 0; k < absT.size(); ++k) out.absCount[k] += countBelow(p, width, absT[k]);
        const double rms = std::sqrt(norms.sq / static_cast<double>(width));
        for (std::size_t j = 0; j < m_settings.relThresholds.size(); ++j) {
            out.relCount[j] += countBelow(p, width, floatThreshold(m_settings.relThresholds[j] * rms));
        }
        out.hoyer += hoyer(norms, width);
        if (blockIn == nullptr) continue;
        const auto pr = compareRows(blockIn + row * W, p, width);
        const double denom = std::sqrt(pr.inSq * norms.sq);
        const double cos = denom > 0 ? std::clamp(pr.dot / denom, -1.0, 1.0) : (pr.diffSq == 0 ? 1.0 : 0.0);
        out.cos += cos;
        out.angle += std::acos(cos) / M_PI;
        out.relUpdate += pr.inSq > 0 ? std::sqrt(pr.diffSq / pr.inSq) : 0.0;
    }
}

void SiteReducer::reduce(const float* x, int width, const BatchRows& rows, SiteStats& site, const float* blockIn,
                         TransitionStats* transition, const ParallelFor& parallel) {
    const std::int64_t n = rows.count();
    if (n == 0) return;  // nothing counts in this batch: it is not a batch for the reference preset either
    std::vector<Task> tasks;
    std::vector<int> firstTaskOfSeq;
    for (int b = 0; b < rows.batch; ++b) {
        const auto& pos = rows.rows[static_cast<std::size_t>(b)];
        firstTaskOfSeq.push_back(static_cast<int>(tasks.size()));
        for (int i = 0; i < static_cast<int>(pos.size()); i += kChunk) {
            tasks.push_back(Task{b, rows.time, i, std::min<int>(i + kChunk, static_cast<int>(pos.size())), &pos});
        }
    }
    firstTaskOfSeq.push_back(static_cast<int>(tasks.size()));
    if (m_partials.size() < tasks.size()) m_partials.resize(tasks.size());
    // Shift: the first counted row of the batch (any common row works; a data row avoids cancellation).
    int firstSeq = 0;
    while (rows.rows[static_cast<std::size_t>(firstSeq)].empty()) ++firstSeq;
    const float* shift = x + (static_cast<std::size_t>(firstSeq) * static_cast<std::size_t>(rows.time) +
                              static_cast<std::size_t>(rows.rows[static_cast<std::size_t>(firstSeq)].front())) *
                                 static_cast<std::size_t>(width);
    const auto body = [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t t = begin; t < end; ++t) {
            auto& part = m_partials[static_cast<std::size_t>(t)];
            part.reset(width, m_abs.size(), m_settings.relThresholds.size());
            runTask(tasks[static_cast<std::size_t>(t)], x, blockIn, width, shift, part);
        }
    };
    const auto nTasks = static_cast<std::int64_t>(tasks.size());
    if (parallel) parallel(nTasks, body);
    else body(0, nTasks);
    mergePartials(firstTaskOfSeq, rows, width, shift, site, transition);
}

void SiteReducer::mergePartials(const std::vector<int>& firstTaskOfSeq,
                                const BatchRows& rows, int width, const float* shift, SiteStats& site,
                                TransitionStats* transition) {
    const auto W = static_cast<std::size_t>(width);
    SiteStats batch;
    batch.tokens = rows.count();
    std::vector<double> s1(W, 0.0), s2(W, 0.0), seqSum(W);
    batch.nearZeroAbs.assign(m_settings.absThresholds.size(), 0);
    batch.nearZeroRel.assign(m_settings.relThresholds.size(), 0);
    std::int64_t refCount = 0;
    TransitionStats tr;
    tr.tokens = batch.tokens;
    for (int b = 0; b < rows.batch; ++b) {
        std::fill(seqSum.begin(), seqSum.end(), 0.0);
        for (int t = firstTaskOfSeq[static_cast<std::size_t>(b)]; t < firstTaskOfSeq[static_cast<std::size_t>(b) + 1]; ++t) {
            const auto& p = m_partials[static_cast<std::size_t>(t)];
            for (std::size_t w = 0; w < W; ++w) {
                seqSum[w] += p.s1[w];
                s2[w] += p.s2[w];
            }
            for (std::size_t k = 0; k < batch.nearZeroAbs.size(); ++k) batch.nearZeroAbs[k] += p.absCount[k];
            refCount += p.absCount.back();
            for (std::size_t j = 0; j < batch.nearZeroRel.size(); ++j) batch.nearZeroRel[j] += p.relCount[j];
            batch.hoyerSum += p.hoyer;
            tr.cosSum += p.cos;
            tr.angleSum += p.angle;
            tr.relUpdateSum += p.relUpdate;
        }
        const auto nb = static_cast<double>(rows.rows[static_cast<std::size_t>(b)].size());
        if (nb == 0) continue;
        // Pooled (authors'): this sequence's token mean, then the unbiased variance across the width.
        double mu = 0;
        for (std::size_t w = 0; w < W; ++w) mu += static_cast<double>(shift[w]) + seqSum[w] / nb;
        mu /= static_cast<double>(W);
        double ss = 0;
        for (std::size_t w = 0; w < W; ++w) {
            const double d = static_cast<double>(shift[w]) + seqSum[w] / nb - mu;
            ss += d * d;
        }
        batch.pooledVarSum += W > 1 ? ss / static_cast<double>(W - 1) : 0.0;
        ++batch.pooledSamples;
        for (std::size_t w = 0; w < W; ++w) s1[w] += seqSum[w];
    }
    const double n = static_cast<double>(batch.tokens);
    batch.mean.resize(W);
    batch.m2.resize(W);
    for (std::size_t w = 0; w < W; ++w) {
        batch.mean[w] = static_cast<double>(shift[w]) + s1[w] / n;
        batch.m2[w] = std::max(0.0, s2[w] - s1[w] * s1[w] / n);
    }
    batch.refBatches = 1;
    batch.refPooledVarSum = batch.pooledVarSum / static_cast<double>(batch.pooledSamples);
    batch.refNearZeroSum = static_cast<double>(refCount) / (n * static_cast<double>(W));
    site.merge(batch);
    if (transition != nullptr) transition->merge(tr);
}

}  // namespace avss::analysis
