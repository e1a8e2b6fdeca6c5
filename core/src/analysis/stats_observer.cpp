// StatsObserver (see stats_observer.h). Letters: B batch, T positions, W site width, Bv sequences
// with at least one real token, S = L + 1 last-token states.
#include "analysis/stats_observer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "avss/error.h"
#include "kernels/row_threads.h"

namespace avss::analysis {

namespace {

std::vector<int> slotsOf(int layers, const std::vector<bool>& skipped) {
    if (!skipped.empty() && skipped.size() != static_cast<std::size_t>(layers)) {
        throw UsageError({}, "skip mask has " + std::to_string(skipped.size()) + " entries, the model has " + std::to_string(layers) + " blocks");
    }
    std::vector<int> slot(static_cast<std::size_t>(layers));
    int next = 0;
    for (std::size_t b = 0; b < slot.size(); ++b) slot[b] = !skipped.empty() && skipped[b] ? -1 : next++;
    return slot;
}

int keptCount(const std::vector<int>& slot) {
    return static_cast<int>(std::count_if(slot.begin(), slot.end(), [](int s) { return s >= 0; }));
}

}  // namespace

StatsObserver::StatsObserver(int layers, int hidden, int ffn, const StatsSettings& settings, Reduction reduction,
                             const std::vector<bool>& skipped)
    : m_slot(slotsOf(layers, skipped)), m_layers(keptCount(m_slot)), m_hidden(hidden), m_ffn(ffn), m_settings(settings),
      m_reduction(reduction), m_reducer(settings) {}

StatsObserver::~StatsObserver() = default;

void StatsObserver::beginBatch(const at::Tensor& mask, ShardStats& target) {
    const auto cpu = mask.to(torch::kCPU).to(torch::kUInt8).contiguous();  // [B, T]
    const int B = static_cast<int>(cpu.size(0)), T = static_cast<int>(cpu.size(1));
    const auto* p = cpu.data_ptr<std::uint8_t>();
    m_rows = batchRows(std::vector<std::uint8_t>(p, p + static_cast<std::size_t>(B) * static_cast<std::size_t>(T)), B, T,
                       m_settings.excludeFirstToken);
    auto count = torch::zeros({B, T}, torch::kBool);
    auto acc = count.accessor<bool, 2>();
    std::vector<std::int64_t> seqs, last;
    for (int b = 0; b < B; ++b) {
        for (int t : m_rows.rows[static_cast<std::size_t>(b)]) acc[b][t] = true;
        if (m_rows.last[static_cast<std::size_t>(b)] >= 0) {
            seqs.push_back(b);
            last.push_back(m_rows.last[static_cast<std::size_t>(b)]);
        }
    }
    m_countMask = count.to(mask.device());
    m_lastSeq = torch::tensor(seqs, torch::kInt64).to(mask.device());
    m_lastIndex = torch::tensor(last, torch::kInt64).to(mask.device());
    m_lastStates = torch::empty({static_cast<std::int64_t>(seqs.size()), m_layers + 1, m_hidden},
                                torch::TensorOptions().dtype(torch::kFloat64).device(mask.device()));
    m_haveState.assign(static_cast<std::size_t>(m_layers) + 1, false);
    m_reducer.reserve(m_rows, std::max(m_hidden, m_ffn));
    prepareTarget(target);
    m_target = &target;
}

void StatsObserver::prepareTarget(ShardStats& target) const {
    if (target.layers.empty()) target.layers.resize(static_cast<std::size_t>(m_layers));
    const auto K = m_settings.absThresholds.size(), J = m_settings.relThresholds.size();
    for (auto& layer : target.layers) {
        for (auto p : {StatPoint::BlockOut, StatPoint::MlpAct, StatPoint::AttnOut}) {
            auto& s = layer.site(p);
            if (!s.mean.empty() || (p == StatPoint::AttnOut && !m_settings.attnOut)) continue;
            const auto W = static_cast<std::size_t>(p == StatPoint::MlpAct ? m_ffn : m_hidden);
            s.mean.assign(W, 0.0);  // an empty accumulator of the right shape: merging into it allocates nothing
            s.m2.assign(W, 0.0);
            s.nearZeroAbs.assign(K, 0);
            s.nearZeroRel.assign(J, 0);
        }
    }
    const auto S = static_cast<std::size_t>(m_layers + 1);
    if (target.spans.states == 0) {
        target.spans.states = m_layers + 1;
        target.spans.angleSum.assign(S * S, 0.0);
        target.spans.cosSum.assign(S * S, 0.0);
    }
}

int StatsObserver::slotOf(int block) const {
    const int slot = m_slot.at(static_cast<std::size_t>(block));
    if (slot < 0) throw UsageError({}, "StatsObserver received activations of block " + std::to_string(block) + ", which is skipped");
    return slot;
}

bool StatsObserver::wants(model::Site site) const {
    return (site.point != StatPoint::AttnOut || m_settings.attnOut) && m_slot.at(static_cast<std::size_t>(site.layer)) >= 0;
}

void StatsObserver::observe(model::Site site, const at::Tensor& x, const at::Tensor& /*mask: see beginBatch*/) {
    if (m_target == nullptr) throw UsageError({}, "StatsObserver received activations outside beginBatch()/endBatch()");
    const int slot = slotOf(site.layer);  // with skipped blocks: the block's place among those that run
    auto& layer = m_target->layers.at(static_cast<std::size_t>(slot));
    const bool fused = m_reduction == Reduction::Fused || (m_reduction == Reduction::Auto && x.is_cpu());
    auto reduce = [&](SiteStats& s, const at::Tensor* in, TransitionStats* tr) {
        if (fused) reduceFused(x, s, in, tr);
        else reduceTorch(x, s, in, tr);
    };
    switch (site.point) {
        case StatPoint::BlockIn:
            m_blockIn = x;  // a handle, not a copy: released at this block's output
            if (slot == 0) keepLastTokens(0, x);
            return;
        case StatPoint::AttnOut: reduce(layer.attnOut, nullptr, nullptr); return;
        case StatPoint::MlpAct: reduce(layer.mlpAct, nullptr, nullptr); return;
        case StatPoint::BlockOut:
            reduce(layer.blockOut, m_blockIn.defined() ? &m_blockIn : nullptr, &layer.transition);
            keepLastTokens(slot + 1, x);
            m_blockIn = at::Tensor{};
            return;
    }
}

void StatsObserver::reduceFused(const at::Tensor& x, SiteStats& site, const at::Tensor* blockIn, TransitionStats* tr) {
    if (!x.is_cpu()) throw UsageError({}, "the fused statistics kernel needs CPU tensors");
    const auto xc = x.to(torch::kFloat32).contiguous();  // no copy for the usual float32 contiguous case
    at::Tensor in;
    if (blockIn != nullptr) in = blockIn->to(torch::kFloat32).contiguous();
    // Split over the kernel threads that run the products, not an OpenMP region: libgomp workers
    // spinning against the product threads cost more than the work they split (bench_stats).
    static const ParallelFor onKernelThreads = [](std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) {
        kernels::parallelRows(n, 1, body);
    };
    m_reducer.reduce(xc.data_ptr<float>(), static_cast<int>(xc.size(2)), m_rows, site,
                     in.defined() ? in.data_ptr<float>() : nullptr, in.defined() ? tr : nullptr,
                     m_split ? onKernelThreads : ParallelFor{});
}

namespace {

// Σ cos, Σ arccos/π and Σ ‖out − in‖/‖in‖ over counted tokens (the guards of site_reduce.cpp).
std::vector<at::Tensor> transitionSums(const at::Tensor& in, const at::Tensor& out, const at::Tensor& outSq, const at::Tensor& mf) {
    const auto dot = (in * out).sum(-1), inSq = in.square().sum(-1), diff = (out - in).square().sum(-1);  // [B, T]
    const auto denom = (inSq * outSq).sqrt();
    const auto cos = torch::where(denom > 0, (dot / denom).clamp(-1.0, 1.0),
                                  torch::where(diff == 0, torch::ones_like(dot), torch::zeros_like(dot)));
    const auto rel = torch::where(inSq > 0, (diff / inSq).sqrt(), torch::zeros_like(dot));
    return {(cos * mf).sum(), (cos.acos() / M_PI * mf).sum(), (rel * mf).sum()};
}

}  // namespace

// The same quantities with torch ops in float64, for tensors on an accelerator.
void StatsObserver::reduceTorch(const at::Tensor& x, SiteStats& site, const at::Tensor* blockIn, TransitionStats* tr) {
    const std::int64_t n = m_rows.count();
    if (n == 0) return;
    const auto W = x.size(2);
    const auto xd = x.to(torch::kFloat64);                  // [B, T, W]
    const auto m = m_countMask.unsqueeze(-1);               // [B, T, 1]
    const auto mf = m_countMask.to(torch::kFloat64);        // [B, T]
    const auto nb = mf.sum(1);                              // [B]
    const auto seqSum = (xd * mf.unsqueeze(-1)).sum(1);     // [B, W]
    const auto mean = seqSum.sum(0) / static_cast<double>(n);  // [W]
    const auto m2 = ((xd - mean) * mf.unsqueeze(-1)).square().sum(at::IntArrayRef{0, 1});
    const auto ax = xd.abs();
    const auto rowSq = xd.square().sum(-1);                 // [B, T]
    const auto rms = (rowSq / static_cast<double>(W)).sqrt();
    std::vector<at::Tensor> counts;
    for (double t : m_settings.absThresholds) counts.push_back(ax.lt(t).logical_and(m).sum());
    counts.push_back(ax.lt(m_settings.referenceEpsilon).logical_and(m).sum());
    for (double a : m_settings.relThresholds) counts.push_back(ax.lt((rms * a).unsqueeze(-1)).logical_and(m).sum());
    const double root = std::sqrt(static_cast<double>(W));
    const auto l2 = rowSq.sqrt();
    auto hoyer = W < 2 ? torch::zeros_like(l2) : torch::where(l2 > 0, (root - ax.sum(-1) / l2) / (root - 1.0), torch::ones_like(l2));
    const auto valid = nb > 0;
    const auto pooled = (seqSum / nb.clamp_min(1).unsqueeze(-1)).var(1, /*unbiased=*/true);  // [B]
    std::vector<at::Tensor> scalars{(hoyer * mf).sum(), torch::where(valid, pooled, torch::zeros_like(pooled)).sum(),
                                    valid.sum().to(torch::kFloat64)};
    if (blockIn != nullptr && tr != nullptr) {
        for (auto& t : transitionSums(blockIn->to(torch::kFloat64), xd, rowSq, mf)) scalars.push_back(t);
    }
    const auto sc = torch::stack(scalars).to(torch::kCPU);
    const auto cc = torch::stack(counts).to(torch::kCPU);
    const auto mc = mean.to(torch::kCPU).contiguous(), m2c = m2.to(torch::kCPU).contiguous();
    SiteStats batch;
    batch.tokens = n;
    batch.mean.assign(mc.data_ptr<double>(), mc.data_ptr<double>() + W);
    batch.m2.assign(m2c.data_ptr<double>(), m2c.data_ptr<double>() + W);
    const auto* c = cc.data_ptr<std::int64_t>();
    const std::size_t nAbs = m_settings.absThresholds.size();
    batch.nearZeroAbs.assign(c, c + nAbs);
    batch.nearZeroRel.assign(c + nAbs + 1, c + cc.numel());
    const auto* s = sc.data_ptr<double>();
    batch.hoyerSum = s[0];
    batch.pooledVarSum = s[1];
    batch.pooledSamples = static_cast<std::int64_t>(std::llround(s[2]));
    batch.refBatches = 1;
    batch.refPooledVarSum = batch.pooledVarSum / s[2];
    batch.refNearZeroSum = static_cast<double>(c[nAbs]) / (static_cast<double>(n) * static_cast<double>(W));
    site.merge(batch);
    if (blockIn != nullptr && tr != nullptr) tr->merge(TransitionStats{n, s[3], s[4], s[5]});
}

void StatsObserver::keepLastTokens(int state, const at::Tensor& x) {
    m_haveState[static_cast<std::size_t>(state)] = true;
    if (m_lastSeq.numel() == 0) return;
    if (!(x.is_cpu() && x.scalar_type() == torch::kFloat32 && x.is_contiguous())) {
        m_lastStates.select(1, state).copy_(x.index({m_lastSeq, m_lastIndex}));  // [Bv, H], converted to float64
        return;
    }
    // CPU: copy the Bv rows directly; ATen's advanced indexing costs more than the copy itself.
    const auto T = x.size(1), H = x.size(2), S = static_cast<std::int64_t>(m_layers) + 1;
    const float* src = x.data_ptr<float>();
    double* dst = m_lastStates.data_ptr<double>();
    std::size_t i = 0;
    for (int b = 0; b < m_rows.batch; ++b) {
        const int t = m_rows.last[static_cast<std::size_t>(b)];
        if (t < 0) continue;
        const float* row = src + (static_cast<std::int64_t>(b) * T + t) * H;
        double* out = dst + (static_cast<std::int64_t>(i++) * S + state) * H;
        for (std::int64_t h = 0; h < H; ++h) out[h] = row[h];
    }
}

namespace {

// Σ over sequences of cos and arccos/π between last-token states i < j. A zero state (never seen in
// practice) counts as orthogonal to everything.
void addSpanAngles(const at::Tensor& states, SpanStats& into) {  // states: [Bv, S, H] float64
    const auto Bv = states.size(0), S = states.size(1), H = states.size(2);
    const auto k = [S](std::int64_t i, std::int64_t j) { return static_cast<std::size_t>(i * S + j); };
    if (!states.is_cpu()) {  // accelerator: reduce there, bring back the [S, S] sums only
        const auto unit = states / states.norm(2, -1, /*keepdim=*/true).clamp_min(1e-300);
        const auto cos = torch::bmm(unit, unit.transpose(1, 2)).clamp(-1.0, 1.0);  // [Bv, S, S]
        const auto angle = (cos.acos() / M_PI).sum(0).to(torch::kCPU).contiguous();
        const auto cosSum = cos.sum(0).to(torch::kCPU).contiguous();
        for (std::int64_t i = 0; i < S; ++i) {
            for (std::int64_t j = i + 1; j < S; ++j) {
                into.angleSum[k(i, j)] += angle.data_ptr<double>()[k(i, j)];
                into.cosSum[k(i, j)] += cosSum.data_ptr<double>()[k(i, j)];
            }
        }
        return;
    }
    const double* p = states.data_ptr<double>();
    std::vector<double> norm(static_cast<std::size_t>(S));
    for (std::int64_t b = 0; b < Bv; ++b) {
        const double* s = p + b * S * H;
        for (std::int64_t i = 0; i < S; ++i) {
            double sq = 0;
            for (std::int64_t h = 0; h < H; ++h) sq += s[i * H + h] * s[i * H + h];
            norm[static_cast<std::size_t>(i)] = std::sqrt(sq);
        }
        for (std::int64_t i = 0; i < S; ++i) {
            for (std::int64_t j = i + 1; j < S; ++j) {
                double dot = 0;
                for (std::int64_t h = 0; h < H; ++h) dot += s[i * H + h] * s[j * H + h];
                const double d = norm[static_cast<std::size_t>(i)] * norm[static_cast<std::size_t>(j)];
                const double cos = d > 0 ? std::clamp(dot / d, -1.0, 1.0) : 0.0;
                into.cosSum[k(i, j)] += cos;
                into.angleSum[k(i, j)] += std::acos(cos) / M_PI;
            }
        }
    }
}

}  // namespace

void StatsObserver::endBatch() {
    if (m_target == nullptr) return;
    const auto Bv = m_lastSeq.numel();
    bool complete = Bv > 0;
    for (bool have : m_haveState) complete = complete && have;
    if (complete) {
        addSpanAngles(m_lastStates, m_target->spans);  // vectors allocated by prepareTarget()
        m_target->spans.sequences += Bv;
    }
    m_target->sequences += Bv;
    m_lastStates = at::Tensor{};
    m_blockIn = at::Tensor{};
    m_target = nullptr;
}

}  // namespace avss::analysis
