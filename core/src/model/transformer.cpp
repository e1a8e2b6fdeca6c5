// The decoder forward pass. Letters: B batch, T new tokens, S keys (cached + new), H hidden,
// Hq query heads, Hk key/value heads, G = Hq/Hk queries per KV head, D head size, F MLP width.
#include "model/transformer.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "avss/error.h"
#include "model/model_impl.h"

namespace avss::model {
namespace {

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
    const auto rms = torch::rsqrt(x.pow(2).mean(-1, /*keepdim=*/true).add_(eps));
    return x * rms * weight;
}

at::Tensor rotateHalf(const at::Tensor& x) {  // [.., D] → cat(-x2, x1)
    const auto half = x.size(-1) / 2;
    return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// Position ids per row: each real token gets its index among the row's real tokens (plus what the
// cache has already seen), so left padding does not shift positions. Pads get 0.
at::Tensor positionIds(const at::Tensor& mask, const KvCache* cache) {
    auto pos = mask.to(torch::kInt64).cumsum(1) - 1;  // [B, T]
    if (cache != nullptr && !cache->empty()) pos = pos + cache->nextPosition.unsqueeze(1);
    return pos.clamp_min(0);
}

// Additive attention bias [B, 1, 1, T, S]: 0 where query t may see key s (causal and key is real),
// -inf elsewhere; every query may see itself so rows of pads never become all -inf (NaN).
at::Tensor attentionBias(const at::Tensor& keyMask, std::int64_t T) {
    const auto S = keyMask.size(1);
    const auto opts = torch::TensorOptions().device(keyMask.device());
    const auto q = torch::arange(S - T, S, opts.dtype(torch::kInt64)).unsqueeze(1);  // [T, 1] absolute index
    const auto k = torch::arange(0, S, opts.dtype(torch::kInt64)).unsqueeze(0);      // [1, S]
    const auto causal = k.le(q);                                                     // [T, S]
    auto allowed = causal.unsqueeze(0).logical_and(keyMask.unsqueeze(1));            // [B, T, S]
    allowed = allowed.logical_or(k.eq(q).unsqueeze(0));
    auto bias = torch::zeros(allowed.sizes(), opts.dtype(torch::kFloat32));
    bias.masked_fill_(allowed.logical_not(), -std::numeric_limits<float>::infinity());
    return bias.unsqueeze(1).unsqueeze(1);
}

struct Rope {
    at::Tensor cos, sin;  // [B, T, 1, D]
};

Rope ropeTables(const at::Tensor& positions, const at::Tensor& invFreq) {
    const auto angles = positions.to(torch::kFloat32).unsqueeze(-1) * invFreq;  // [B, T, D/2]
    const auto full = torch::cat({angles, angles}, -1).unsqueeze(2);            // [B, T, 1, D]
    return {full.cos(), full.sin()};
}

class Notifier {  // asks the observer once per site; a missing observer costs one branch
public:
    Notifier(ActivationObserver* o, const at::Tensor& mask) : m_o(o), m_mask(mask) {}
    void operator()(int layer, Point p, const at::Tensor& x) const {
        if (m_o != nullptr && m_o->wants(Site{layer, p})) m_o->observe(Site{layer, p}, x, m_mask);
    }

private:
    ActivationObserver* m_o;
    const at::Tensor& m_mask;
};

at::Tensor attention(const Model::Impl& m, const LayerWeights& lw, int layer, const at::Tensor& h, const Rope& rope,
                     const at::Tensor& bias, KvCache* cache) {
    const auto& hp = m.hp;
    const auto B = h.size(0), T = h.size(1);
    const std::int64_t Hq = hp.heads, Hk = hp.kvHeads, G = Hq / Hk, D = hp.headDim;
    auto qkv = torch::linear(h, lw.wqkv, lw.bqkv.defined() ? lw.bqkv : at::Tensor{});  // [B, T, (Hq + 2Hk) D]
    auto q = qkv.narrow(-1, 0, Hq * D).view({B, T, Hq, D});
    auto k = qkv.narrow(-1, Hq * D, Hk * D).view({B, T, Hk, D});
    auto v = qkv.narrow(-1, (Hq + Hk) * D, Hk * D).view({B, T, Hk, D});
    q = q * rope.cos + rotateHalf(q) * rope.sin;
    k = k * rope.cos + rotateHalf(k) * rope.sin;
    k = k.permute({0, 2, 1, 3});  // [B, Hk, T, D]
    v = v.permute({0, 2, 1, 3});
    if (cache != nullptr) {
        auto& ck = cache->keys[static_cast<std::size_t>(layer)];
        auto& cv = cache->values[static_cast<std::size_t>(layer)];
        ck = ck.defined() ? torch::cat({ck, k}, 2) : k.contiguous();
        cv = cv.defined() ? torch::cat({cv, v}, 2) : v.contiguous();
        k = ck;
        v = cv;
    }
    const auto S = k.size(2);
    // Group the G query heads of each KV head into one matrix so K and V are never copied per head.
    auto qg = q.view({B, T, Hk, G, D}).permute({0, 2, 3, 1, 4}).reshape({B, Hk, G * T, D});
    auto scores = torch::matmul(qg, k.transpose(-1, -2)).mul_(1.0 / std::sqrt(static_cast<double>(D)));  // [B, Hk, G T, S]
    scores = scores.view({B, Hk, G, T, S}).add_(bias).softmax(-1).view({B, Hk, G * T, S});
    auto out = torch::matmul(scores, v);  // [B, Hk, G T, D]
    out = out.view({B, Hk, G, T, D}).permute({0, 3, 1, 2, 4}).reshape({B, T, Hq * D});
    return torch::linear(out, lw.wo);  // [B, T, H]
}

}  // namespace

const char* pointName(Point p) {
    switch (p) {
        case Point::BlockIn: return "block_in";
        case Point::AttnOut: return "attn_out";
        case Point::MlpAct: return "mlp_act";
        case Point::BlockOut: return "block_out";
    }
    return "?";
}

std::vector<bool> skipMask(int layerCount, const std::vector<int>& skipLayers) {
    std::vector<bool> skip(static_cast<std::size_t>(layerCount), false);
    for (int l : skipLayers) {
        if (l < 0 || l >= layerCount) {
            throw UsageError({}, "layer " + std::to_string(l) + " does not exist (the model has layers 0.." +
                                     std::to_string(layerCount - 1) + ")");
        }
        skip[static_cast<std::size_t>(l)] = true;
    }
    return skip;
}

at::Tensor lmHead(const Model::Impl& m, const at::Tensor& normed) { return torch::linear(normed, m.weights.lmHead); }

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
    KvCache* cache = options.cache;
    if (cache != nullptr && cache->empty()) {
        cache->keys.assign(static_cast<std::size_t>(hp.layers), at::Tensor{});
        cache->values.assign(static_cast<std::size_t>(hp.layers), at::Tensor{});
    }
    const auto rope = ropeTables(positionIds(boolMask, cache), m.weights.invFreq);
    const auto keyMask = (cache != nullptr && !cache->empty()) ? torch::cat({cache->keyMask, boolMask}, 1) : boolMask;
    const auto bias = attentionBias(keyMask, T);
    const Notifier notify(options.observer, boolMask);

    auto x = torch::embedding(m.weights.tokenEmbd, tokens);  // [B, T, H]
    for (int l = 0; l < hp.layers; ++l) {
        if (options.skip != nullptr && (*options.skip)[static_cast<std::size_t>(l)]) continue;
        const auto& lw = m.weights.layers[static_cast<std::size_t>(l)];
        notify(l, Point::BlockIn, x);
        const auto attn = attention(m, lw, l, rmsNorm(x, lw.attnNorm, hp.normEps), rope, bias, cache);
        notify(l, Point::AttnOut, attn);
        x = x + attn;
        const auto gateUp = torch::linear(rmsNorm(x, lw.ffnNorm, hp.normEps), lw.wGateUp);  // [B, T, 2F]
        const auto act = torch::silu(gateUp.narrow(-1, 0, hp.ffn)).mul_(gateUp.narrow(-1, hp.ffn, hp.ffn));  // [B, T, F]
        notify(l, Point::MlpAct, act);
        x = x + torch::linear(act, lw.wDown);
        notify(l, Point::BlockOut, x);
    }
    if (cache != nullptr) {
        cache->keyMask = keyMask;
        const auto seen = boolMask.to(torch::kInt64).sum(1);
        cache->nextPosition = cache->nextPosition.defined() ? cache->nextPosition + seen : seen;
    }
    if (options.logits == Logits::LastOnly) {
        const auto idx = (boolMask.to(torch::kInt64) * torch::arange(T, tokens.options().dtype(torch::kInt64))).argmax(1);  // [B]
        const auto last = x.index({torch::arange(x.size(0), idx.options()), idx});  // [B, H]
        return lmHead(m, rmsNorm(last, m.weights.outputNorm, hp.normEps));
    }
    const auto normed = rmsNorm(x, m.weights.outputNorm, hp.normEps);
    return options.logits == Logits::None ? normed : lmHead(m, normed);
}

}  // namespace avss::model
