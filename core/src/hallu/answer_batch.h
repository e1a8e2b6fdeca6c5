// Teacher-forced answers as one right-padded batch on the CPU: what the hallucination statistics
// and contrastive training both feed the forward pass.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "hallu/forced_answers.h"

namespace avss::hallu {

struct AnswerBatch {
    at::Tensor tokens;  // [B, T] int64, pads after each answer
    at::Tensor attend;  // [B, T] bool: real tokens (context and answer)
    at::Tensor answer;  // [B, T] bool: answer tokens only
};

AnswerBatch answerBatch(const std::vector<const ForcedAnswer*>& answers, TokenId pad);

// The pad id a model's batches use: its PAD, else EOS, else 0 (pads are never attended to).
TokenId padToken(const Tokenizer& tokenizer);

}  // namespace avss::hallu
