// The observer that turns live activations into SiteStats during the forward pass. Reduction
// happens on the model's device: on the CPU a fused single-pass kernel (site_reduce.h), elsewhere
// torch ops in float64; either way only per-channel vectors and scalars leave the device, and no
// activation is kept beyond its batch (the block input only until the block's output arrives).
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <vector>

#include "analysis/site_reduce.h"
#include "avss/activation_stats.h"
#include "model/activation_observer.h"

namespace avss::analysis {

enum class Reduction { Auto, Fused, Torch };  // Auto: Fused for CPU tensors, Torch elsewhere

class StatsObserver final : public model::ActivationObserver {
public:
    // hidden, ffn: widths of block_out/attn_out and mlp_act (accumulators are allocated up front).
    // layers: the model's blocks. skipped (empty or one flag per block): blocks the forward pass
    // bypasses; the statistics then hold one layer per block that runs, renumbered 0..K−1 in order,
    // with the last-token states h_0 … h_K of that shorter network, as if the pruned model had been
    // exported and analysed.
    StatsObserver(int layers, int hidden, int ffn, const StatsSettings& settings, Reduction reduction = Reduction::Auto,
                  const std::vector<bool>& skipped = {});
    ~StatsObserver() override;

    // mask: [B, T] bool, the forward pass's mask. Statistics of the batch merge into `target`
    // as sites arrive; endBatch() adds the last-token span angles and counts the sequences.
    // Everything that lives until endBatch() is allocated here, before the forward pass: a
    // long-lived allocation made between the pass's large temporaries pins the heap and raises
    // the peak memory layer by layer (measured with bench_stats).
    void beginBatch(const at::Tensor& mask, ShardStats& target);
    void endBatch();

    // Whether the fused reduction splits its rows over the kernel threads (default). Callers pass
    // false in a bf16 pass on the CPU, whose oneDNN OpenMP workers spin on the other cores between
    // products (the decoding step's rule, model/decode_step.cpp).
    void splitOverKernelThreads(bool split) { m_split = split; }

    bool wants(model::Site site) const override;
    void observe(model::Site site, const at::Tensor& x, const at::Tensor& mask) override;

private:
    void reduceFused(const at::Tensor& x, SiteStats& site, const at::Tensor* blockIn, TransitionStats* tr);
    void reduceTorch(const at::Tensor& x, SiteStats& site, const at::Tensor* blockIn, TransitionStats* tr);
    void keepLastTokens(int state, const at::Tensor& x);
    void prepareTarget(ShardStats& target) const;
    int slotOf(int block) const;  // layer of the statistics for a model block; throws for a skipped one

    std::vector<int> m_slot;   // [model block] → layer of the statistics, −1 = skipped
    int m_layers, m_hidden, m_ffn;  // m_layers: blocks that run
    StatsSettings m_settings;
    Reduction m_reduction;
    SiteReducer m_reducer;
    bool m_split = true;
    ShardStats* m_target = nullptr;
    BatchRows m_rows;
    at::Tensor m_countMask;    // [B, T] bool on the device: positions that count
    at::Tensor m_lastIndex;    // [Bv] int64: last real position of each non-empty sequence
    at::Tensor m_lastSeq;      // [Bv] int64: which sequences those are
    at::Tensor m_blockIn;      // the current block's input, released at its output
    at::Tensor m_lastStates;   // [Bv, L + 1, H] float64: last-token states h_0 … h_L
    std::vector<bool> m_haveState;
};

}  // namespace avss::analysis
