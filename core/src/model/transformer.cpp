// The decoder forward pass. Letters: B batch, T new tokens, S keys (cached + new), H hidden,
// Hq query heads, Hk key/value heads, G = Hq/Hk queries per KV head, D head size, F MLP width.
#include "model/transformer.h"

#include <torch/torch.h>

#include <array>
#include <cmath>
#include <limits>

#include "avss/error.h"
#include "kernels/causal_attention.h"
#include "kernels/silu_gate.h"
#include "model/decode_step.h"
#include "model/model_impl.h"
#include "model/product_threads.h"

namespace avss::model {
namespace {

// x / rms(x) over the last dimension. The norm's weight is folded into the next projection at load
// time (weights.cpp), so this is one reduction pass and one multiply.
at::Tensor rmsNormalize(const at::Tensor& x, double eps) {
    if (x.requires_grad()) return x * x.square().mean(-1, /*keepdim=*/true).add(eps).rsqrt();  // training: no in-place on saved results
    const auto sumSq = at::linalg_vector_norm(x, 2, {-1}, /*keepdim=*/true).square_();
    return x * sumSq.div_(static_cast<double>(x.size(-1))).add_(eps).rsqrt_();
}

// x normalised over the last dimension without weights: RMSNorm's x/rms(x), or LayerNorm's
// (x − mean)/std (GPT-2; its weight and bias are folded like RMSNorm's weight, or applied by the caller).
at::Tensor normalize(const ArchTraits& arch, const at::Tensor& x, double eps) {
    if (arch.norm == NormKind::Layer) return torch::layer_norm(x, {x.size(-1)}, {}, {}, eps);
    return rmsNormalize(x, eps);
}

// Position ids per row: each real token gets its index among the row's real tokens (plus what the
// cache has already seen), so left padding does not shift positions. Pads get 0.
at::Tensor positionIds(const at::Tensor& mask, const KvCache* cache) {
    auto pos = mask.to(torch::kInt64).cumsum(1) - 1;  // [B, T]
    if (cache != nullptr && !cache->empty()) pos = pos + cache->nextPosition.unsqueeze(1);
    return pos.clamp_min(0);
}

// Queries per attention block: bounds the score buffer for long windows and lets keys stop at the
// causal edge; 128 and 256 were slower on this CPU (more, smaller GEMMs; docs/benchmarks.md).
constexpr std::int64_t kQueryBlock = 512;

struct AttentionMask {
    bool padded = false;  // some key is padding or outside the sliding window: use the full bias
    at::Tensor bias;      // [B, 1, T, 1, S] additive: 0 = visible, -inf = hidden (only when padded)
    at::Tensor triangle;  // [n, 1, n], n = min(T, kQueryBlock): -inf above the diagonal (no-padding fast path)
    // What the fused kernel needs instead: the window, and each row's first real key when every row
    // is left-padded (pads first, then only real keys); undefined when some row's mask has another shape.
    std::int64_t window = 0;
    bool leftPadded = false;
    at::Tensor firstKey;  // [B] int64 on the CPU
};

// Each row's first real key when the rows are left-padded (false… then true…), else undefined.
at::Tensor firstRealKeys(const at::Tensor& keyMask) {
    const auto S = keyMask.size(1);
    const auto first = (S - keyMask.to(torch::kInt64).sum(1)).to(torch::kCPU).contiguous();  // [B]
    const auto expected = torch::arange(S, keyMask.options().dtype(torch::kInt64)).unsqueeze(0).ge(first.to(keyMask.device()).unsqueeze(1));
    return keyMask.eq(expected).all().item<bool>() ? first : at::Tensor{};
}

// Query t may see key s when s is not after it, s is a real token and, with a sliding window W,
// t − s < W; every query may see itself so rows of pads never become all -inf (NaN). A window
// shorter than the keys takes the full-bias path (the corner triangle cannot express it).
AttentionMask attentionMask(const at::Tensor& keyMask, std::int64_t T, std::int64_t window) {
    AttentionMask am;
    const auto opts = torch::TensorOptions().device(keyMask.device());
    const auto inf = -std::numeric_limits<float>::infinity();
    const auto S = keyMask.size(1);
    am.window = window;
    const bool allReal = keyMask.all().item<bool>();
    am.firstKey = allReal ? at::Tensor{} : firstRealKeys(keyMask);
    am.leftPadded = allReal || am.firstKey.defined();
    am.padded = !allReal || (window > 0 && S > window);
    if (!am.padded) {
        const auto n = std::min(T, kQueryBlock);  // a decoding step (T = 1) needs a 1×1 corner, not 512×512
        am.triangle = torch::full({n, n}, inf, opts.dtype(torch::kFloat32)).triu_(1).unsqueeze(1);
        return am;
    }
    const auto q = torch::arange(S - T, S, opts.dtype(torch::kInt64)).unsqueeze(1);  // [T, 1] absolute index
    const auto k = torch::arange(0, S, opts.dtype(torch::kInt64)).unsqueeze(0);      // [1, S]
    auto causal = k.le(q);
    if (window > 0) causal = causal.logical_and(k.gt(q - window));  // pads sit at the left, so index distance = position distance
    auto allowed = causal.unsqueeze(0).logical_and(keyMask.unsqueeze(1));  // [B, T, S]
    allowed = allowed.logical_or(k.eq(q).unsqueeze(0));
    am.bias = torch::zeros(allowed.sizes(), opts.dtype(torch::kFloat32)).masked_fill_(allowed.logical_not(), inf);
    am.bias = am.bias.unsqueeze(1).unsqueeze(3);
    return am;
}

struct Rope {
    at::Tensor cos;       // [B, T, 1, D]
    at::Tensor sinFirst;  // [B, T, 1, D/2]: −sin, for the first half of each head
    at::Tensor sinSecond; // [B, T, 1, D/2]: +sin, for the second half
};

Rope ropeTables(const at::Tensor& positions, const at::Tensor& invFreq) {
    const auto angles = positions.to(torch::kFloat32).unsqueeze(-1) * invFreq;  // [B, T, D/2]
    const auto sin = angles.sin().unsqueeze(2);
    return {torch::cat({angles, angles}, -1).cos().unsqueeze(2), -sin, sin};
}

// HF's rotate_half RoPE, x·cos + rotate_half(x)·sin with rotate_half(x) = (−x2, x1), written as one
// multiply and two half-width fused multiply-adds (no rotated copy of x).
at::Tensor applyRope(const at::Tensor& x, const Rope& rope) {
    const auto half = x.size(-1) / 2;
    auto out = x * rope.cos;
    out.narrow(-1, 0, half).addcmul_(x.narrow(-1, half, half), rope.sinFirst);
    out.narrow(-1, half, half).addcmul_(x.narrow(-1, 0, half), rope.sinSecond);
    return out;
}

// act(gate) · up from the fused [.., 2F] gate/up product; act(up) for a plain MLP (GPT-2). SiLU in fp32
// inference on the CPU takes the fused kernel: one pass, rows over the kernel threads, where libtorch's
// silu and mul ran two passes on one thread (4.5 % of a 4 × 512 prefill; docs/benchmarks.md). A bf16
// pass keeps libtorch's silu on the OpenMP workers oneDNN already runs (the kernel on the calling
// thread made its prefill 5–8 % slower), except for a decoding step's one position per row.
at::Tensor gatedActivation(const Model::Impl& m, const at::Tensor& gateUp) {
    const auto& arch = *m.arch;
    const auto ffn = m.hp.ffn;
    if (!arch.gatedMlp) return torch::gelu(gateUp, "tanh");  // gelu_new
    const bool bf16 = bf16OnCpu(m), step = gateUp.dim() == 3 && gateUp.size(1) == 1;
    if (arch.activation == Activation::Silu && gateUp.device().is_cpu() && gateUp.scalar_type() == torch::kFloat32 &&
        !gateUp.requires_grad() && (!bf16 || step)) {
        const auto in = gateUp.contiguous();
        auto sizes = in.sizes().vec();
        sizes.back() = ffn;
        auto out = torch::empty(sizes, in.options());
        kernels::siluGate(in.data_ptr<float>(), in.numel() / (2 * ffn), ffn, out.data_ptr<float>(), !bf16);
        return out;
    }
    const auto gate = gateUp.narrow(-1, 0, ffn), up = gateUp.narrow(-1, ffn, ffn);
    return (arch.activation == Activation::GeluTanh ? torch::gelu(gate, "tanh") : torch::silu(gate)).mul_(up);
}

class Notifier {  // asks the observer once per site; a missing observer costs one branch
public:
    Notifier(ActivationObserver* o, const at::Tensor& mask) : m_o(o), m_mask(mask) {}
    void operator()(int layer, StatPoint p, const at::Tensor& x) const {
        if (m_o != nullptr && m_o->wants(Site{layer, p})) m_o->observe(Site{layer, p}, x, m_mask);
    }

private:
    ActivationObserver* m_o;
    const at::Tensor& m_mask;
};

// The fused kernel (kernels/causal_attention.h) runs inference in fp32 on the CPU when nobody asks for
// the attention weights, scores are not softcapped, the rows are left-padded at most, and the
// CPU has a kernel for the head size (with bf16 weights too: q, k and v are fp32 products);
// everything else takes the blocked GEMM path below.
bool fusedAttentionApplies(const Model::Impl& m, const at::Tensor& qkv, const AttentionMask& mask, bool wantWeights) {
    return !wantWeights && qkv.device().is_cpu() && qkv.scalar_type() == torch::kFloat32 && !qkv.requires_grad() &&
           m.hp.attnSoftcap <= 0.0 && mask.leftPadded && kernels::fusedAttentionAvailable(m.hp.headDim);
}

// qk [B, T, Hq + Hk, D] (queries first), k and v [B, Hk, S, D] (any strides, D contiguous) → [B, T, Hq·D].
at::Tensor fusedAttention(const Model::Impl& m, const at::Tensor& qk, const at::Tensor& kIn, const at::Tensor& vIn, const AttentionMask& mask) {
    const auto& hp = m.hp;
    const auto B = qk.size(0), T = qk.size(1);
    const auto dense = [](const at::Tensor& t) { return t.stride(-1) == 1 ? t : t.contiguous(); };
    const auto q = dense(qk), k = dense(kIn), v = dense(vIn);
    auto out = torch::empty({B, T, hp.heads, hp.headDim}, qk.options());
    kernels::AttentionArgs a;
    a.batch = B;
    a.kvHeads = hp.kvHeads;
    a.groups = hp.heads / hp.kvHeads;
    a.headDim = hp.headDim;
    a.queries = T;
    a.keys = k.size(2);
    a.window = mask.window;
    a.firstKey = mask.firstKey.defined() ? mask.firstKey.data_ptr<std::int64_t>() : nullptr;
    a.q = q.data_ptr<float>(), a.qB = q.stride(0), a.qT = q.stride(1), a.qH = q.stride(2);
    a.k = k.data_ptr<float>(), a.kB = k.stride(0), a.kH = k.stride(1), a.kS = k.stride(2);
    a.v = v.data_ptr<float>(), a.vB = v.stride(0), a.vH = v.stride(1), a.vS = v.stride(2);
    a.out = out.data_ptr<float>(), a.oB = out.stride(0), a.oT = out.stride(1), a.oH = out.stride(2);
    kernels::causalAttention(a);
    return out.view({B, T, hp.heads * hp.headDim});
}

// Grouped-query attention. Queries are laid out [B·Hk, T·G, D] (row = position t, then the G query
// heads sharing KV head k), so a block of positions is a contiguous row range and every product is
// a plain batched GEMM over [B·Hk] with no per-head copies of K or V.
at::Tensor attention(const Model::Impl& m, const LayerWeights& lw, int layer, const at::Tensor& h, const Rope& rope,
                     const AttentionMask& mask, KvCache* cache, at::Tensor* weights) {
    const auto& hp = m.hp;
    const auto B = h.size(0), T = h.size(1);
    const std::int64_t Hq = hp.heads, Hk = hp.kvHeads, G = Hq / Hk, D = hp.headDim;
    const auto qkv = lw.wqkv.apply(h, lw.bqkv);  // [B, T, (Hq + 2Hk) D]
    auto qkIn = qkv.narrow(-1, 0, (Hq + Hk) * D).view({B, T, Hq + Hk, D});
    if (lw.qkNorm.defined()) qkIn = rmsNormalize(qkIn, hp.normEps).mul_(lw.qkNorm);  // per-head q/k norms (Gemma 3)
    const auto qk = rope.cos.defined() ? applyRope(qkIn, rope) : qkIn;  // q and k in one pass; learned positions: no RoPE
    auto k = qk.narrow(2, Hq, Hk).permute({0, 2, 1, 3});                              // [B, Hk, T, D]
    auto v = qkv.narrow(-1, (Hq + Hk) * D, Hk * D).view({B, T, Hk, D}).permute({0, 2, 1, 3});
    if (cache != nullptr) {
        k = cache->append(cache->keys[static_cast<std::size_t>(layer)], k);
        v = cache->append(cache->values[static_cast<std::size_t>(layer)], v);
    }
    if (fusedAttentionApplies(m, qkv, mask, weights != nullptr)) return lw.wo.apply(fusedAttention(m, qk, k, v, mask), lw.bo);
    k = k.contiguous();
    v = v.contiguous();
    const auto S = k.size(2);
    // bf16 weights: the two attention products take bf16 operands too (oneDNN, like the projections);
    // masking and the softmax stay fp32.
    const bool bf16 = lw.wqkv.isBf16();
    const auto half = [&](const at::Tensor& t) { return bf16 ? t.to(torch::kBFloat16) : t; };
    const auto k3 = half(k.view({B * Hk, S, D})), v3 = half(v.view({B * Hk, S, D}));
    const auto q3 = half(qk.narrow(2, 0, Hq).reshape({B, T, Hk, G * D}).permute({0, 2, 1, 3}).contiguous().view({B * Hk, T * G, D}));
    auto out = torch::empty({B, T, Hk, G * D}, qkv.options());
    if (weights != nullptr) *weights = torch::zeros({B, Hq, T, S}, qkv.options().dtype(torch::kFloat32));
    for (std::int64_t t0 = 0; t0 < T; t0 += kQueryBlock) {
        const auto tb = std::min(kQueryBlock, T - t0);
        const auto visible = S - T + t0 + tb;  // keys the block's last query may see
        // q carries the 1/sqrt(D) score scale (folded into its weights at load time).
        auto scores = torch::bmm(q3.narrow(1, t0 * G, tb * G), k3.narrow(1, 0, visible).transpose(1, 2));  // [B Hk, tb G, vis]
        if (bf16) scores = scores.to(torch::kFloat32);
        if (hp.attnSoftcap > 0.0) {  // cap·tanh(s/cap) before the mask, as Gemma 2 does
            if (scores.requires_grad()) scores = torch::tanh(scores / hp.attnSoftcap) * hp.attnSoftcap;
            else scores.div_(hp.attnSoftcap).tanh_().mul_(hp.attnSoftcap);
        }
        auto grid = scores.view({B, Hk, tb, G, visible});
        if (mask.padded) {
            grid.add_(mask.bias.narrow(2, t0, tb).narrow(4, 0, visible));
        } else {  // no padding: only the diagonal tb×tb corner needs the causal triangle
            grid.narrow(4, visible - tb, tb).add_(mask.triangle.narrow(0, 0, tb).narrow(2, 0, tb));
        }
        if (scores.requires_grad()) scores = torch::softmax(scores, -1);  // training: the out= form has no gradient
        else at::_softmax_out(scores, scores, -1, false);  // in place: no second score-sized buffer
        if (weights != nullptr) {  // query head h = k·G + g, as Hugging Face's repeat_kv numbers them
            weights->narrow(2, t0, tb).narrow(3, 0, visible).copy_(
                scores.detach().view({B, Hk, tb, G, visible}).permute({0, 1, 3, 2, 4}).reshape({B, Hq, tb, visible}));
        }
        auto ob = torch::bmm(half(scores), v3.narrow(1, 0, visible));  // [B Hk, tb G, D]
        out.narrow(1, t0, tb).copy_(ob.view({B, Hk, tb, G * D}).permute({0, 2, 1, 3}));
    }
    return lw.wo.apply(out.view({B, T, Hq * D}), lw.bo);  // [B, T, H]
}

// The RoPE tables and masks each block uses: one kind for most models, a sliding and a global kind
// for Gemma 2/3 (each built only when some block uses it).
class AttentionKinds {
public:
    AttentionKinds(const Model::Impl& m, const at::Tensor& positions, const at::Tensor& keyMask, std::int64_t T) {
        for (int l = 0; l < m.hp.layers; ++l) {
            const auto t = m.hp.layer(l);
            const int rope = t.ropeScaled ? 0 : 1, mask = t.slidingWindow > 0 ? 1 : 0;
            if (!m_rope[rope].cos.defined() && !m.hp.learnedPositions) m_rope[rope] = ropeTables(positions, rope == 0 ? m.weights.invFreq : m.weights.invFreqSliding);
            if (!m_built[mask]) m_mask[mask] = attentionMask(keyMask, T, t.slidingWindow);
            m_built[mask] = true;
            m_layer.emplace_back(rope, mask);
        }
    }
    const Rope& rope(int l) const { return m_rope[m_layer[static_cast<std::size_t>(l)].first]; }
    const AttentionMask& mask(int l) const { return m_mask[m_layer[static_cast<std::size_t>(l)].second]; }

private:
    std::array<Rope, 2> m_rope;  // the model's RoPE, the sliding blocks' own
    std::array<AttentionMask, 2> m_mask;  // full causal, sliding window
    std::array<bool, 2> m_built{};
    std::vector<std::pair<int, int>> m_layer;  // (rope, mask) per block
};

}  // namespace

std::vector<bool> skipMask(int layerCount, const std::vector<int>& skipLayers) {
    checkLayerNumbers(skipLayers, layerCount);
    std::vector<bool> skip(static_cast<std::size_t>(layerCount), false);
    for (int l : skipLayers) skip[static_cast<std::size_t>(l)] = true;
    return skip;
}

bool bf16OnCpu(const Model::Impl& m) { return m.weights.tokenEmbd.isBf16() && m.device.is_cpu(); }

at::Tensor lmHead(const Model::Impl& m, const at::Tensor& normed) {
    auto logits = m.weights.lmHead.apply(normed);
    const double cap = m.hp.finalSoftcap;  // Gemma 2: cap·tanh(logits/cap)
    if (cap <= 0.0) return logits;
    if (logits.requires_grad()) return torch::tanh(logits / cap) * cap;
    return logits.div_(cap).tanh_().mul_(cap);
}

at::Tensor finalNorm(const Model::Impl& m, const at::Tensor& x) {
    auto out = normalize(*m.arch, x, m.hp.normEps).mul_(m.weights.outputNorm);
    return m.weights.outputNormBias.defined() ? out.add_(m.weights.outputNormBias) : out;
}

namespace {

// GPT-2's learned positions added to the token embeddings; a position past the table is an error,
// not a wrap-around.
void addPositions(const Model::Impl& m, at::Tensor& x, const at::Tensor& positions) {
    const auto last = positions.max().item<std::int64_t>();
    if (last >= m.hp.contextLength) {
        throw UsageError({}, "position " + std::to_string(last) + " is past the model's " + std::to_string(m.hp.contextLength) +
                                 " learned positions", "Use windows, prompts and generations of at most " + std::to_string(m.hp.contextLength) + " tokens.");
    }
    x = x + m.weights.positionEmbd.index_select(0, positions.reshape({-1})).view(x.sizes());
}

}  // namespace

at::Tensor forward(const Model::Impl& m, const at::Tensor& tokens, const at::Tensor& mask, const ForwardOptions& options) {
    const auto& hp = m.hp;
    if (tokens.dim() != 2 || mask.sizes() != tokens.sizes()) {
        throw UsageError({}, "forward needs tokens [B, T] and a mask of the same shape");
    }
    if (options.skip != nullptr && options.skip->size() != static_cast<std::size_t>(hp.layers)) {
        throw UsageError({}, "skip mask has " + std::to_string(options.skip->size()) + " entries, the model has " +
                                 std::to_string(hp.layers) + " layers");
    }
    const auto T = tokens.size(1);
    const auto boolMask = mask.to(torch::kBool);
    if (options.attention != nullptr) options.attention->assign(static_cast<std::size_t>(hp.layers), at::Tensor{});
    KvCache* cache = options.cache;
    if (cache != nullptr && cache->empty()) {
        cache->keys.assign(static_cast<std::size_t>(hp.layers), at::Tensor{});
        cache->values.assign(static_cast<std::size_t>(hp.layers), at::Tensor{});
        cache->length = 0;
    }
    const auto positions = positionIds(boolMask, cache);
    const auto keyMask = (cache != nullptr && !cache->empty()) ? torch::cat({cache->keyMask, boolMask}, 1) : boolMask;
    const AttentionKinds kinds(m, positions, keyMask, T);
    const Notifier notify(options.observer, boolMask);

    const ProductThreads threads(bf16OnCpu(m));
    auto x = m.weights.tokenEmbd.rows(tokens);  // [B, T, H]
    if (m.arch->scaleEmbeddings) x.mul_(std::sqrt(static_cast<double>(hp.hidden)));
    if (hp.learnedPositions) addPositions(m, x, positions);
    const bool fused = decode::applies(m, x, cache, keyMask.size(1), options.attention != nullptr);  // a decoding step on the CPU
    const auto norm = [&](const at::Tensor& t) { return fused ? decode::rmsNormalize(t, hp.normEps) : normalize(*m.arch, t, hp.normEps); };
    for (int l = 0; l < hp.layers; ++l) {
        if (options.skip != nullptr && (*options.skip)[static_cast<std::size_t>(l)]) continue;
        const auto& lw = m.weights.layers[static_cast<std::size_t>(l)];
        notify(l, StatPoint::BlockIn, x);
        auto a = fused ? decode::attention(m, lw, l, norm(x), kinds.rope(l).cos, kinds.rope(l).sinSecond, keyMask, *cache)
                       : attention(m, lw, l, norm(x), kinds.rope(l), kinds.mask(l), cache,
                                   options.attention != nullptr ? &(*options.attention)[static_cast<std::size_t>(l)] : nullptr);
        if (lw.attnPostNorm.defined()) a = norm(a).mul_(lw.attnPostNorm);
        notify(l, StatPoint::AttnOut, a);  // what the block adds to the stream (after a post norm)
        x = a.add_(x);  // new storage: the BlockIn tensor an observer may hold stays intact
        const auto gateUp = lw.wGateUp.apply(norm(x), lw.bGateUp);  // [B, T, 2F] ([B, T, F] for a plain MLP)
        const auto act = gatedActivation(m, gateUp);  // [B, T, F]
        notify(l, StatPoint::MlpAct, act);
        auto mlp = lw.wDown.apply(act, lw.bDown);
        if (lw.ffnPostNorm.defined()) mlp = norm(mlp).mul_(lw.ffnPostNorm);
        x = mlp.add_(x);
        notify(l, StatPoint::BlockOut, x);
    }
    if (cache != nullptr) {
        cache->length = keyMask.size(1);
        cache->keyMask = keyMask;
        const auto seen = boolMask.to(torch::kInt64).sum(1);
        cache->nextPosition = cache->nextPosition.defined() ? cache->nextPosition + seen : seen;
    }
    if (options.logits == Logits::LastOnly) {
        const auto idx = (boolMask.to(torch::kInt64) * torch::arange(T, tokens.options().dtype(torch::kInt64))).argmax(1);  // [B]
        const auto last = x.index({torch::arange(x.size(0), idx.options()), idx});  // [B, H]
        return lmHead(m, finalNorm(m, last));
    }
    const auto normed = finalNorm(m, x);
    return options.logits == Logits::None ? normed : lmHead(m, normed);
}

}  // namespace avss::model
