// Fused causal grouped-query attention for fp32 on the CPU: scores, masking, softmax and the value
// product per block of keys with an online softmax, so no T×S score matrix is ever stored (at a
// 2048-token window the blocked GEMM path wrote and re-read 38 MB of scores per layer and block).
// Torch-free: raw pointers with strides, the head dimension contiguous.
#pragma once

#include <cstdint>

namespace avss::kernels {

struct AttentionArgs {
    std::int64_t batch = 0, kvHeads = 0, groups = 0, headDim = 0;  // query heads = kvHeads · groups
    std::int64_t queries = 0;  // T new positions; query t sits at key index keys − queries + t
    std::int64_t keys = 0;     // S: cached keys plus the new ones
    std::int64_t window = 0;   // > 0: query at key index i sees keys i − window + 1 … i (sliding window)
    // First real key per batch row (left padding), or null when every key is real. A padded query
    // (index below its row's first real key) sees only itself, as the masked reference does.
    const std::int64_t* firstKey = nullptr;
    // Query head h of batch row b at position t: q + b·qB + t·qT + h·qH (h = kvHead · groups + g).
    const float* q = nullptr;
    std::int64_t qB = 0, qT = 0, qH = 0;
    const float* k = nullptr;  // key head k, key s: k + b·kB + s·kS + k·kH; the same for v
    std::int64_t kB = 0, kS = 0, kH = 0;
    const float* v = nullptr;
    std::int64_t vB = 0, vS = 0, vH = 0;
    float* out = nullptr;  // same layout as q
    std::int64_t oB = 0, oT = 0, oH = 0;
};

// Best: the widest the CPU has; Avx2 forces the AVX2 + FMA kernel (tests compare both).
enum class AttentionIsa { Best, Avx2 };

// Whether this CPU has a kernel for this head size (AVX-512 for multiples of 64 up to 256, AVX2 +
// FMA for multiples of 32); callers use their general path otherwise.
bool fusedAttentionAvailable(std::int64_t headDim, AttentionIsa isa = AttentionIsa::Best);

// softmax(q·kᵀ + causal mask) · v for every query head; the score scale is already in q.
// Splits the work over kernelThreads() (row_threads.h). std::invalid_argument unless
// fusedAttentionAvailable(headDim, isa).
void causalAttention(const AttentionArgs& args, AttentionIsa isa = AttentionIsa::Best);

}  // namespace avss::kernels
