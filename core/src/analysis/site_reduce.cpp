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
    for (double t : m_abs) m_absFloat.push_back(floatThreshold(t));
}
SiteReducer::~SiteReducer() = default;

void SiteReducer::reserve(const BatchRows& rows, int maxWidth) {
    std::size_t tasks = 0;
    for (const auto& r : rows.rows) tasks += (r.size() + kChunk - 1) / kChunk;
    if (m_partials.size() < tasks) m_partials.resize(tasks);
    for (auto& p : m_partials) {
        p.s1.reserve(static_cast<std::size_t>(maxWidth));
        p.s2.reserve(static_cast<std::size_t>(maxWidth));
        p.absCount.reserve(m_abs.size());
        p.relCount.reserve(m_settings.relThresholds.size());
    }
    m_tasks.reserve(tasks);
    m_firstTaskOfSeq.reserve(rows.rows.size() + 1);
    for (auto* v : {&m_s1, &m_s2, &m_seqSum}) v->reserve(static_cast<std::size_t>(maxWidth));
    m_batch = SiteStats{};
    m_batch.mean.reserve(static_cast<std::size_t>(maxWidth));
    m_batch.m2.reserve(static_cast<std::size_t>(maxWidth));
}
SiteReducer::SiteReducer(SiteReducer&&) noexcept = default;

namespace {

// The row helpers are always inlined into processRowsImpl(), which is compiled once per
// instruction set (AVX-512, AVX2 + FMA, baseline x86-64) and picked at run time: the statistics
// pass is SIMD-bound, and Debian builds for baseline x86-64.
#define AVSS_ROW_INLINE inline __attribute__((always_inline))

// int32 lanes vectorise on every x86 level; a row never has 2³¹ elements.
AVSS_ROW_INLINE std::int32_t countBelow(const float* p, int width, float t) {
    std::int32_t c = 0;
#pragma omp simd reduction(+ : c)
    for (int w = 0; w < width; ++w) c += std::fabs(p[w]) < t ? 1 : 0;
    return c;
}

struct RowNorms {
    double sq = 0, abs = 0;
};

// One pass over a row: per-channel shifted sums plus the row's L2² and L1.
AVSS_ROW_INLINE RowNorms accumulateRow(const float* p, const float* shift, int width, double* s1, double* s2) {
    double sq = 0, ab = 0;
#pragma omp simd reduction(+ : sq, ab)
    for (int w = 0; w < width; ++w) {
        const double a = p[w];
        const double d = a - static_cast<double>(shift[w]);
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

AVSS_ROW_INLINE Pair compareRows(const float* in, const float* out, int width) {
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

AVSS_ROW_INLINE double hoyer(const RowNorms& n, int width) {
    if (width < 2) return 0.0;
    if (n.sq <= 0) return 1.0;  // an all-zero vector is maximally sparse
    const double root = std::sqrt(static_cast<double>(width));
    return (root - n.abs / std::sqrt(n.sq)) / (root - 1.0);
}

struct RowsJob {
    const float* x;        // [B, T, W]
    const float* blockIn;  // [B, T, W] or null
    const float* shift;    // [W]
    int width;
    std::size_t rowBase;   // seq · T
    const int* positions;  // rows to process: x + (rowBase + positions[i]) · W
    int count;
    const float* absT;     // float thresholds (see floatThreshold)
    std::size_t nAbs;
    const double* rel;     // relative thresholds α
    std::size_t nRel;
};

struct RowsOut {
    double* s1;
    double* s2;
    std::int64_t* absCount;
    std::int64_t* relCount;
    double hoyer = 0, cos = 0, angle = 0, relUpdate = 0;
};

AVSS_ROW_INLINE void processRowsImpl(const RowsJob& j, RowsOut& o) {
    const auto W = static_cast<std::size_t>(j.width);
    for (int i = 0; i < j.count; ++i) {
        const std::size_t row = j.rowBase + static_cast<std::size_t>(j.positions[i]);
        const float* p = j.x + row * W;
        const auto norms = accumulateRow(p, j.shift, j.width, o.s1, o.s2);
        for (std::size_t k = 0; k < j.nAbs; ++k) o.absCount[k] += countBelow(p, j.width, j.absT[k]);
        const double rms = std::sqrt(norms.sq / static_cast<double>(j.width));
        for (std::size_t k = 0; k < j.nRel; ++k) o.relCount[k] += countBelow(p, j.width, floatThreshold(j.rel[k] * rms));
        o.hoyer += hoyer(norms, j.width);
        if (j.blockIn == nullptr) continue;
        const auto pr = compareRows(j.blockIn + row * W, p, j.width);
        const double denom = std::sqrt(pr.inSq * norms.sq);
        // A zero vector has no direction: cos = 1 when in = out, else 0 (documented in docs/metrics.md).
        const double cos = denom > 0 ? std::clamp(pr.dot / denom, -1.0, 1.0) : (pr.diffSq == 0 ? 1.0 : 0.0);
        o.cos += cos;
        o.angle += std::acos(cos) / M_PI;
        o.relUpdate += pr.inSq > 0 ? std::sqrt(pr.diffSq / pr.inSq) : 0.0;
    }
}


// One copy of the loop per instruction set, chosen once at run time (target_clones' "arch=" picks
// by CPU model, not by features, so the dispatch is written out).
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"))) void processRowsAvx512(const RowsJob& j, RowsOut& o) {
    processRowsImpl(j, o);
}
__attribute__((target("avx2,fma"))) void processRowsAvx2(const RowsJob& j, RowsOut& o) { processRowsImpl(j, o); }
void processRowsBaseline(const RowsJob& j, RowsOut& o) { processRowsImpl(j, o); }

void processRows(const RowsJob& j, RowsOut& o) {
    static const auto impl = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma")) {
            return &processRowsAvx512;
        }
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &processRowsAvx2;
        return &processRowsBaseline;
    }();
    impl(j, o);
}

}  // namespace

void SiteReducer::runTask(const Task& task, const float* x, const float* blockIn, int width, const float* shift,
                          Partial& out) const {
    const RowsJob job{x, blockIn, shift, width, static_cast<std::size_t>(task.seq) * static_cast<std::size_t>(task.time),
                      task.positions->data() + task.begin, task.end - task.begin, m_absFloat.data(), m_absFloat.size(),
                      m_settings.relThresholds.data(), m_settings.relThresholds.size()};
    RowsOut o{out.s1.data(), out.s2.data(), out.absCount.data(), out.relCount.data()};
    processRows(job, o);
    out.hoyer = o.hoyer;
    out.cos = o.cos;
    out.angle = o.angle;
    out.relUpdate = o.relUpdate;
}

void SiteReducer::reduce(const float* x, int width, const BatchRows& rows, SiteStats& site, const float* blockIn,
                         TransitionStats* transition, const ParallelFor& parallel) {
    const std::int64_t n = rows.count();
    if (n == 0) return;  // nothing counts in this batch: it is not a batch for the reference preset either
    auto& tasks = m_tasks;
    auto& firstTaskOfSeq = m_firstTaskOfSeq;
    tasks.clear();
    firstTaskOfSeq.clear();
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
    // Scratch members, not locals: see reserve().
    auto& batch = m_batch;
    auto& s1 = m_s1;
    auto& s2 = m_s2;
    auto& seqSum = m_seqSum;
    batch.hoyerSum = batch.pooledVarSum = batch.refPooledVarSum = batch.refNearZeroSum = 0;
    batch.pooledSamples = batch.refBatches = 0;  // fields reset one by one: the vectors keep their capacity
    batch.tokens = rows.count();
    s1.assign(W, 0.0);
    s2.assign(W, 0.0);
    seqSum.assign(W, 0.0);
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
