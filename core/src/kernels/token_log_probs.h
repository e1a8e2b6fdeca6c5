// log softmax(logits)[target] per row without the [rows, vocab] log-softmax tensor: perplexity and
// choice scoring need one number per position, and libtorch's single-threaded log_softmax + gather
// cost 7.5 % of a 2048-token perplexity window on the sample model.
#pragma once

#include <cstdint>

namespace avss::kernels {

// Best: the widest the CPU has; Avx2 and Portable force those paths (tests compare all three).
enum class LogProbIsa { Best, Avx2, Portable };

// out[r] = logits[r·vocab + targets[r]] − log Σ_i exp(logits[r·vocab + i]), in double from fp32
// partial sums. A row holding NaN or ±inf gives NaN. std::out_of_range when a target is outside
// [0, vocab). `split`: rows over the kernel threads (false: a bf16 pass, see silu_gate.h). An
// instruction set the CPU lacks falls back to the next narrower path.
void tokenLogProbs(const float* logits, std::int64_t rows, std::int64_t vocab, const std::int64_t* targets, double* out,
                   bool split = true, LogProbIsa isa = LogProbIsa::Best);

}  // namespace avss::kernels
