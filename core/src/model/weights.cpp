// A TensorSource's tensors → the forward's weights: Q/K un-permutation, norm and scale folding,
// and fusion of q/k/v and gate/up rows into single GEMM weights.
#include "model/weights.h"

#include <torch/torch.h>

#include <cmath>
#include <set>

#include "avss/error.h"
#include "model/hparams.h"

namespace avss::model {
namespace {


// base^(−2i/d) in fp64, divided by the file's RoPE scaling (see HyperParams); fp64 so the fp32 result is
// the correctly rounded value transformers computes.
at::Tensor unscaledInverseFrequencies(double base, int headDim) {
    return 1.0 / torch::pow(torch::tensor(base, torch::kFloat64), torch::arange(0, headDim, 2, torch::kFloat64) / static_cast<double>(headDim));
}

at::Tensor ropeInverseFrequencies(const HyperParams& hp, TensorSource& src) {
    auto inv = unscaledInverseFrequencies(hp.ropeBase, hp.headDim);
    inv = inv / hp.ropeLinearFactor;
    if (hp.ropeFreqFactors) {
        const auto factors = src.take("rope_freqs.weight", {hp.headDim / 2}).to(torch::kFloat64);
        if (!torch::isfinite(factors).all().item<bool>() || !(factors.min().item<double>() > 0.0)) {
            throw FormatError(src.path(), "tensor 'rope_freqs.weight' holds a factor that is not a positive finite number");
        }
        inv = inv / factors;
    }
    if (hp.yarn) inv = inv / torch::tensor(yarnDivisors(*hp.yarn, hp.ropeBase, hp.headDim), torch::kFloat64);
    return inv;
}

std::string blk(int layer, const char* role) { return "blk." + std::to_string(layer) + "." + role; }

struct Norm {
    at::Tensor weight, bias;  // bias only for LayerNorm
};

Norm takeNorm(TensorSource& src, const ArchTraits& arch, const std::string& prefix, std::int64_t H) {
    Norm n{src.take(prefix + ".weight", {H}), {}};
    if (arch.norm == NormKind::Layer) n.bias = src.take(prefix + ".bias", {H});
    return n;
}

// P applied to n·w + b equals (P·diag(w))·n + P·b: the weight goes into P's columns and P·b (in
// fp64) into P's bias.
void foldNorm(at::Tensor& P, at::Tensor& bias, const Norm& norm) {
    if (norm.bias.defined()) {
        const auto shift = torch::mv(P.to(torch::kFloat64), norm.bias.to(torch::kFloat64)).to(torch::kFloat32);
        bias = bias.defined() ? bias + shift : shift;
    }
    P = P * norm.weight.unsqueeze(0);
}

}  // namespace

at::Tensor unpermuteRows(const at::Tensor& w, int heads, int headDim) {
    const auto in = w.size(1);
    return w.view({heads, headDim / 2, 2, in}).transpose(1, 2).reshape({heads * headDim, in}).contiguous();
}

at::Tensor permuteRows(const at::Tensor& w, int heads, int headDim) {
    const auto in = w.size(1);
    return w.view({heads, 2, headDim / 2, in}).transpose(1, 2).reshape({heads * headDim, in}).contiguous();
}

StorageRefusal storageRefusal(WeightStorage storage, c10::Device device, const blas::CpuFeatures& cpu) {
    if (storage == WeightStorage::Q8 && !device.is_cpu()) {
        return {"q8 weights run on the CPU only, and the device is " + device.str(), "Use fp32 or bf16 weights on the GPU, or the CPU device."};
    }
    if (storage == WeightStorage::Bf16 && device.is_cpu() && !cpu.avx512Usable()) {
        return {"bf16 weights on the CPU need AVX-512 (F, BW, VL, DQ) for fast products, and this CPU has " + cpu.summary(),
                "Use fp32 weights, or q8 for less memory."};
    }
    return {};
}

LoadedWeights loadWeights(TensorSource& src, const ArchTraits& arch, const HyperParams& hp, c10::Device device, WeightStorage storage) {
    torch::NoGradGuard noGrad;  // weights are created outside inference mode, without autograd history
    // Each fp32 product is converted as soon as it is final, so at most one layer exists in fp32.
    auto keep = [&](const at::Tensor& w, const std::string& what) {
        if (storage == WeightStorage::Fp32) return Projection(w.contiguous());
        if (storage == WeightStorage::Bf16) return Projection::bf16(w);
        if (w.size(1) % kernels::Q8Matrix::kBlock != 0) {
            throw UnsupportedError(src.path(), what + " has rows of " + std::to_string(w.size(1)) + " values; q8 weights need a multiple of " +
                                                 std::to_string(kernels::Q8Matrix::kBlock),
                                   "Load this model with fp32 weights.");
        }
        return Projection::compact(w);
    };
    const std::int64_t H = hp.hidden, F = hp.ffn, V = hp.vocab;
    LoadedWeights out;
    auto& w = out.weights;
    w.tokenEmbd = keep(src.take("token_embd.weight", {V, H}), "token_embd.weight");
    // With q/k norms the scale must follow the normalisation, so it goes into q_norm's weight instead.
    const double qScale = hp.queryScale();
    w.qRowScale = arch.qkNorm ? 1.0 : qScale;
    const double qRowScale = w.qRowScale;
    for (int l = 0; l < hp.layers; ++l) {
        LayerWeights lw;
        const auto attnNorm = takeNorm(src, arch, blk(l, "attn_norm"), H);
        at::Tensor q, k, v;
        if (arch.fusedQkv) {
            const auto qkv = src.take(blk(l, "attn_qkv.weight"), {hp.qRows() + 2 * hp.kvRows(), H});
            q = qkv.narrow(0, 0, hp.qRows());
            k = qkv.narrow(0, hp.qRows(), hp.kvRows());
            v = qkv.narrow(0, hp.qRows() + hp.kvRows(), hp.kvRows());
        } else {
            q = src.take(blk(l, "attn_q.weight"), {hp.qRows(), H});
            k = src.take(blk(l, "attn_k.weight"), {hp.kvRows(), H});
            v = src.take(blk(l, "attn_v.weight"), {hp.kvRows(), H});
        }
        if (src.permutedQK()) {
            q = unpermuteRows(q, hp.heads, hp.headDim);
            k = unpermuteRows(k, hp.kvHeads, hp.headDim);
        }
        if (arch.qkvBias && arch.fusedQkv) {
            const auto b = src.take(blk(l, "attn_qkv.bias"), {hp.qRows() + 2 * hp.kvRows()});
            lw.bqkv = torch::cat({b.narrow(0, 0, hp.qRows()) * qRowScale, b.narrow(0, hp.qRows(), 2 * hp.kvRows())});
        } else if (arch.qkvBias) {
            lw.bqkv = torch::cat({src.take(blk(l, "attn_q.bias"), {hp.qRows()}) * qRowScale, src.take(blk(l, "attn_k.bias"), {hp.kvRows()}),
                                  src.take(blk(l, "attn_v.bias"), {hp.kvRows()})});
        }
        auto qkv = torch::cat({q * qRowScale, k, v}, 0);
        foldNorm(qkv, lw.bqkv, attnNorm);
        lw.wqkv = keep(qkv, blk(l, "attn_q/k/v.weight"));
        if (arch.qkNorm) {
            const auto qNorm = src.take(blk(l, "attn_q_norm.weight"), {hp.headDim}) * qScale;
            const auto kNorm = src.take(blk(l, "attn_k_norm.weight"), {hp.headDim});
            lw.qkNorm = torch::cat({qNorm.unsqueeze(0).expand({hp.heads, hp.headDim}), kNorm.unsqueeze(0).expand({hp.kvHeads, hp.headDim})}, 0)
                            .to(torch::kFloat32).contiguous();
        }
        lw.wo = keep(src.take(blk(l, "attn_output.weight"), {H, hp.qRows()}), blk(l, "attn_output.weight"));
        if (arch.projectionBiases) lw.bo = src.take(blk(l, "attn_output.bias"), {H});
        if (arch.postNorms) {
            lw.attnPostNorm = src.take(blk(l, "post_attention_norm.weight"), {H}).to(torch::kFloat32).contiguous();
            lw.ffnPostNorm = src.take(blk(l, "post_ffw_norm.weight"), {H}).to(torch::kFloat32).contiguous();
        }
        const auto ffnNorm = takeNorm(src, arch, blk(l, "ffn_norm"), H);
        // if/else, not ?: — GCC's ASan flags the braced list's temporaries inside a conditional (stack-use-after-scope).
        at::Tensor gateUp;
        if (!arch.gatedMlp) {
            gateUp = src.take(blk(l, "ffn_up.weight"), {F, H});
        } else if (arch.fusedGateUp) {
            gateUp = src.take(blk(l, "ffn_up.weight"), {2 * F, H});
        } else {
            gateUp = torch::cat({src.take(blk(l, "ffn_gate.weight"), {F, H}), src.take(blk(l, "ffn_up.weight"), {F, H})}, 0);
        }
        if (arch.projectionBiases) lw.bGateUp = src.take(blk(l, "ffn_up.bias"), {gateUp.size(0)});
        foldNorm(gateUp, lw.bGateUp, ffnNorm);
        lw.wGateUp = keep(gateUp, blk(l, "ffn_gate/up.weight"));
        lw.wDown = keep(src.take(blk(l, "ffn_down.weight"), {H, F}), blk(l, "ffn_down.weight"));
        if (arch.projectionBiases) lw.bDown = src.take(blk(l, "ffn_down.bias"), {H});
        w.layers.push_back(std::move(lw));
    }
    const auto outputNorm = takeNorm(src, arch, "output_norm", H);
    w.outputNorm = outputNorm.weight;
    w.outputNormBias = outputNorm.bias;
    if (arch.learnedPositions) w.positionEmbd = src.take("position_embd.weight", {hp.contextLength, H});
    out.tiedEmbeddings = !src.has("output.weight");
    w.lmHead = out.tiedEmbeddings ? w.tokenEmbd : keep(src.take("output.weight", {V, H}), "output.weight");
    w.invFreq = ropeInverseFrequencies(hp, src).to(torch::kFloat32);
    if (hp.slidingWindow > 0 && hp.slidingRopeBase > 0.0) w.invFreqSliding = unscaledInverseFrequencies(hp.slidingRopeBase, hp.headDim).to(torch::kFloat32);
    out.unusedTensors = src.unused();

    out.parameterCount = src.consumedElements();  // as stored: a tied LM head is counted once
    out.weightBytes = w.tokenEmbd.bytes() + (out.tiedEmbeddings ? 0 : w.lmHead.bytes());
    if (w.positionEmbd.defined()) out.weightBytes += static_cast<std::uint64_t>(w.positionEmbd.numel()) * sizeof(float);
    for (const auto& lw : w.layers) {
        for (const auto* p : {&lw.wqkv, &lw.wo, &lw.wGateUp, &lw.wDown}) out.weightBytes += p->bytes();
        for (const auto* t : {&lw.qkNorm, &lw.attnPostNorm, &lw.ffnPostNorm, &lw.bo, &lw.bGateUp, &lw.bDown}) {
            if (t->defined()) out.weightBytes += static_cast<std::uint64_t>(t->numel()) * sizeof(float);
        }
    }
    if (device != c10::Device(c10::kCPU)) {
        auto move = [&](at::Tensor& t) { if (t.defined()) t = t.to(device); };
        w.tokenEmbd = w.tokenEmbd.to(device);
        move(w.outputNorm);
        move(w.invFreq);
        move(w.invFreqSliding);
        move(w.outputNormBias);
        move(w.positionEmbd);
        for (auto& lw : w.layers) {
            for (auto* t : {&lw.bqkv, &lw.qkNorm, &lw.attnPostNorm, &lw.ffnPostNorm, &lw.bo, &lw.bGateUp, &lw.bDown}) move(*t);
            for (auto* p : {&lw.wqkv, &lw.wo, &lw.wGateUp, &lw.wDown}) *p = p->to(device);
        }
        w.lmHead = out.tiedEmbeddings ? w.tokenEmbd : w.lmHead.to(device);
    }
    return out;
}

}  // namespace avss::model
