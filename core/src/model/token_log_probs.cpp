#include "model/token_log_probs.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "avss/error.h"
#include "kernels/token_log_probs.h"
#include "model/transformer.h"

namespace avss::model {

at::Tensor tokenLogProbs(const Model::Impl& m, const at::Tensor& logits, const at::Tensor& targets) {
    const auto V = logits.size(-1);
    if (targets.sizes() != logits.sizes().slice(0, logits.dim() - 1)) {
        throw UsageError({}, "token log-probabilities need targets shaped like the logits without their vocabulary dimension");
    }
    if (!logits.device().is_cpu() || logits.scalar_type() != torch::kFloat32 || logits.requires_grad()) {
        const auto idx = targets.to(logits.device(), torch::kInt64);
        if (idx.numel() > 0 && (idx.min().item<std::int64_t>() < 0 || idx.max().item<std::int64_t>() >= V)) {
            throw UsageError({}, "a target token is outside the model's vocabulary of " + std::to_string(V));
        }
        const auto x = logits.scalar_type() == torch::kFloat64 ? logits : logits.to(torch::kFloat32);  // bf16 logits: fp32 softmax
        return torch::log_softmax(x, -1).gather(-1, idx.unsqueeze(-1)).squeeze(-1).to(torch::kFloat64);
    }
    const auto x = logits.contiguous();
    const auto idx = targets.to(torch::kInt64).contiguous();
    auto out = torch::empty(targets.sizes(), torch::TensorOptions().dtype(torch::kFloat64));
    try {
        kernels::tokenLogProbs(x.data_ptr<float>(), idx.numel(), V, idx.data_ptr<std::int64_t>(), out.data_ptr<double>(), !bf16OnCpu(m));
    } catch (const std::out_of_range& e) {
        throw UsageError({}, std::string(e.what()));
    }
    return out;
}

}  // namespace avss::model
