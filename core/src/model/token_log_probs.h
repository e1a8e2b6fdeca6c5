// The log-probability of each chosen next token, from the LM head's logits: what perplexity and
// choice scoring sum.
#pragma once

#include <ATen/core/Tensor.h>

#include "model/model_impl.h"

namespace avss::model {

// log softmax(logits)[…, target] for logits [..., V] and integer targets [...] of the same leading
// shape: float64, on the logits' device. CPU inference in fp32 takes kernels::tokenLogProbs (no
// [..., V] log-softmax tensor, rows over the kernel threads); autograd, other devices and dtypes take
// libtorch's log_softmax and gather. UsageError when a target is outside the vocabulary.
at::Tensor tokenLogProbs(const Model::Impl& m, const at::Tensor& logits, const at::Tensor& targets);

}  // namespace avss::model
