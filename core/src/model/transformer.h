// The decoder forward pass (embeddings → blocks → final norm → LM head) with observation points,
// a run-time layer-skip mask and an optional KV cache. Shapes: B batch, T new tokens, S cached
// + new tokens, H hidden, V vocabulary.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "avss/model.h"
#include "model/activation_observer.h"
#include "model/kv_cache.h"

namespace avss::model {

enum class Logits { All, LastOnly, None };

struct ForwardOptions {
    const std::vector<bool>* skip = nullptr;  // size = layer count; true = bypass the block
    ActivationObserver* observer = nullptr;
    KvCache* cache = nullptr;
    Logits logits = Logits::All;
    // Set: filled with each layer's attention weights, [B, Hq, T, S] fp32 (a skipped layer's stays
    // undefined). For inspection (the logit lens); the generic path only, never a decoding step.
    std::vector<at::Tensor>* attention = nullptr;
};

// tokens: [B, T] int64; mask: [B, T] bool (true = real token) on the model's device.
// Returns logits [B, T, V] (All), [B, V] (LastOnly: each row's last position), or the final hidden
// state [B, T, H] after the final norm (None). Throws UsageError on shape/mask mismatch.
at::Tensor forward(const Model::Impl& m, const at::Tensor& tokens, const at::Tensor& mask, const ForwardOptions& options = {});

// Layer-skip mask from a list of layer numbers; UsageError naming the bad number.
std::vector<bool> skipMask(int layerCount, const std::vector<int>& skipLayers);

}  // namespace avss::model

namespace avss::model {
// The final norm of the stream before the LM head (a new tensor; x is not changed).
at::Tensor finalNorm(const Model::Impl& m, const at::Tensor& x);
// Logits from final-normed hidden states ([.., H] → [.., V]); lets callers chunk the LM head.
at::Tensor lmHead(const Model::Impl& m, const at::Tensor& normedHidden);
// bf16 weights on the CPU: no OpenBLAS product runs, so whole passes take ProductThreads (its header).
bool bf16OnCpu(const Model::Impl& m);
}  // namespace avss::model
