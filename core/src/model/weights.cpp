// GGUF tensors → fp32 torch tensors: shape checks, dequantisation (parallel over rows), Q/K
// un-permutation, and fusion of q/k/v and gate/up rows into single GEMM weights.
#include "model/weights.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <set>

#include "avss/error.h"
#include "io/dequant.h"
#include "io/ggml_type.h"

namespace avss::model {
namespace {

std::string shapeString(const std::vector<std::int64_t>& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

// Hands out each GGUF tensor once, as fp32 on the CPU, and remembers what was consumed.
class TensorSource {
public:
    TensorSource(const io::GgufFile& f, const ProgressFn& progress, const CancelToken* cancel)
        : m_f(f), m_progress(progress), m_cancel(cancel) {}

    bool has(const std::string& name) const { return m_f.findTensor(name) != nullptr; }
    const std::filesystem::path& path() const { return m_f.path(); }

    at::Tensor take(const std::string& name, const std::vector<std::int64_t>& shape) {
        if (m_cancel) m_cancel->throwIfCancelled();
        const auto* info = m_f.findTensor(name);
        if (info == nullptr) throw FormatError(m_f.path(), "tensor '" + name + "' is missing", "The file is not a complete model.");
        if (info->torchShape() != shape) {
            throw FormatError(m_f.path(), "tensor '" + name + "' has shape " + shapeString(info->torchShape()) + ", expected " +
                                              shapeString(shape));
        }
        if (!m_used.insert(name).second) throw FormatError(m_f.path(), "tensor '" + name + "' consumed twice");
        const auto traits = io::ggmlTypeTraits(info->type);
        if (!traits || !traits->dequantizable) {
            throw UnsupportedError(m_f.path(), "tensor '" + name + "' uses type " + io::ggmlTypeName(info->type) +
                                                   ", which cannot be dequantized yet",
                                   "Supported: " + io::dequantizableTypeNames() + ".");
        }
        auto out = torch::empty(shape, torch::kFloat32);
        const std::int64_t rowLen = static_cast<std::int64_t>(info->ne[0]);
        const std::int64_t rows = static_cast<std::int64_t>(info->elements) / std::max<std::int64_t>(rowLen, 1);
        const std::uint64_t rowBytes = info->ne[0] / traits->blockElements * traits->blockBytes;
        const std::uint8_t* src = m_f.tensorData(*info);
        float* dst = out.data_ptr<float>();
        at::parallel_for(0, rows, 64, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t r = begin; r < end; ++r) {
                io::dequantize(info->type, src + static_cast<std::uint64_t>(r) * rowBytes, dst + r * rowLen,
                               static_cast<std::uint64_t>(rowLen));
            }
        });
        m_f.releaseTensorPages(*info);  // converted: its file pages need not count towards the process's memory
        ++m_done;
        m_elements += static_cast<std::int64_t>(info->elements);
        report(m_progress, Progress{"loading", m_done, static_cast<std::int64_t>(m_f.tensors().size()), "tensors"});
        return out;
    }

    std::int64_t consumedElements() const { return m_elements; }

    std::vector<std::string> unused() const {
        std::vector<std::string> out;
        for (const auto& t : m_f.tensors()) {
            if (!m_used.count(t.name)) out.push_back(t.name);
        }
        return out;
    }

private:
    const io::GgufFile& m_f;
    const ProgressFn& m_progress;
    const CancelToken* m_cancel;
    std::set<std::string> m_used;
    std::int64_t m_done = 0;
    std::int64_t m_elements = 0;
};

// llama.cpp stores each head's rows as interleaved pairs (2i, 2i+1 ↔ i, i+d/2); restore HF order so
// the forward can use rotate_half RoPE. [heads*d, in] → [heads*d, in].
at::Tensor unpermuteRows(const at::Tensor& w, int heads, int headDim) {
    const auto in = w.size(1);
    return w.view({heads, headDim / 2, 2, in}).transpose(1, 2).reshape({heads * headDim, in}).contiguous();
}

// base^(−2i/d) in fp64, divided by the file's RoPE scaling (see HyperParams); fp64 so the fp32 result is
// the correctly rounded value transformers computes.
at::Tensor ropeInverseFrequencies(const HyperParams& hp, TensorSource& src) {
    auto inv = 1.0 / torch::pow(torch::tensor(hp.ropeBase, torch::kFloat64),
                                torch::arange(0, hp.headDim, 2, torch::kFloat64) / static_cast<double>(hp.headDim));
    inv = inv / hp.ropeLinearFactor;
    if (hp.ropeFreqFactors) {
        const auto factors = src.take("rope_freqs.weight", {hp.headDim / 2}).to(torch::kFloat64);
        if (!torch::isfinite(factors).all().item<bool>() || !(factors.min().item<double>() > 0.0)) {
            throw FormatError(src.path(), "tensor 'rope_freqs.weight' holds a factor that is not a positive finite number");
        }
        inv = inv / factors;
    }
    return inv;
}

std::string blk(int layer, const char* role) { return "blk." + std::to_string(layer) + "." + role; }

}  // namespace

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

LoadedWeights loadWeights(const io::GgufFile& f, const ArchTraits& arch, const HyperParams& hp, c10::Device device,
                          WeightStorage storage, const ProgressFn& progress, const CancelToken* cancel) {
    torch::NoGradGuard noGrad;  // weights are created outside inference mode, without autograd history
    TensorSource src(f, progress, cancel);
    // Each fp32 product is converted as soon as it is final, so at most one layer exists in fp32.
    auto keep = [&](const at::Tensor& w, const std::string& what) {
        if (storage == WeightStorage::Fp32) return Projection(w.contiguous());
        if (storage == WeightStorage::Bf16) return Projection::bf16(w);
        if (w.size(1) % kernels::Q8Matrix::kBlock != 0) {
            throw UnsupportedError(f.path(), what + " has rows of " + std::to_string(w.size(1)) + " values; q8 weights need a multiple of " +
                                                 std::to_string(kernels::Q8Matrix::kBlock),
                                   "Load this model with fp32 weights.");
        }
        return Projection::compact(w);
    };
    const std::int64_t H = hp.hidden, F = hp.ffn, V = hp.vocab;
    LoadedWeights out;
    auto& w = out.weights;
    w.tokenEmbd = keep(src.take("token_embd.weight", {V, H}), "token_embd.weight");
    const double qScale = 1.0 / std::sqrt(static_cast<double>(hp.headDim));
    for (int l = 0; l < hp.layers; ++l) {
        LayerWeights lw;
        const auto attnNorm = src.take(blk(l, "attn_norm.weight"), {H});
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
        if (arch.ggufPermutedQK) {
            q = unpermuteRows(q, hp.heads, hp.headDim);
            k = unpermuteRows(k, hp.kvHeads, hp.headDim);
        }
        lw.wqkv = keep(torch::cat({q * qScale, k, v}, 0) * attnNorm.unsqueeze(0), blk(l, "attn_q/k/v.weight"));
        if (arch.qkvBias) {
            lw.bqkv = torch::cat({src.take(blk(l, "attn_q.bias"), {hp.qRows()}) * qScale, src.take(blk(l, "attn_k.bias"), {hp.kvRows()}),
                                  src.take(blk(l, "attn_v.bias"), {hp.kvRows()})});
        }
        lw.wo = keep(src.take(blk(l, "attn_output.weight"), {H, hp.qRows()}), blk(l, "attn_output.weight"));
        const auto ffnNorm = src.take(blk(l, "ffn_norm.weight"), {H});
        // if/else, not ?: — GCC's ASan flags the braced list's temporaries inside a conditional (stack-use-after-scope).
        at::Tensor gateUp;
        if (arch.fusedGateUp) {
            gateUp = src.take(blk(l, "ffn_up.weight"), {2 * F, H});
        } else {
            gateUp = torch::cat({src.take(blk(l, "ffn_gate.weight"), {F, H}), src.take(blk(l, "ffn_up.weight"), {F, H})}, 0);
        }
        lw.wGateUp = keep(gateUp * ffnNorm.unsqueeze(0), blk(l, "ffn_gate/up.weight"));
        lw.wDown = keep(src.take(blk(l, "ffn_down.weight"), {H, F}), blk(l, "ffn_down.weight"));
        w.layers.push_back(std::move(lw));
    }
    w.outputNorm = src.take("output_norm.weight", {H});
    out.tiedEmbeddings = !src.has("output.weight");
    w.lmHead = out.tiedEmbeddings ? w.tokenEmbd : keep(src.take("output.weight", {V, H}), "output.weight");
    w.invFreq = ropeInverseFrequencies(hp, src).to(torch::kFloat32);
    out.unusedTensors = src.unused();

    out.parameterCount = src.consumedElements();  // as stored: a tied LM head is counted once
    out.weightBytes = w.tokenEmbd.bytes() + (out.tiedEmbeddings ? 0 : w.lmHead.bytes());
    for (const auto& lw : w.layers) {
        for (const auto* p : {&lw.wqkv, &lw.wo, &lw.wGateUp, &lw.wDown}) out.weightBytes += p->bytes();
    }
    if (device != c10::Device(c10::kCPU)) {
        auto move = [&](at::Tensor& t) { if (t.defined()) t = t.to(device); };
        w.tokenEmbd = w.tokenEmbd.to(device);
        move(w.outputNorm);
        move(w.invFreq);
        for (auto& lw : w.layers) {
            move(lw.bqkv);
            for (auto* p : {&lw.wqkv, &lw.wo, &lw.wGateUp, &lw.wDown}) *p = p->to(device);
        }
        w.lmHead = out.tiedEmbeddings ? w.tokenEmbd : w.lmHead.to(device);
    }
    return out;
}

}  // namespace avss::model
