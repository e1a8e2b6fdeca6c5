// The kernel body (causal_attention_body.inc) compiled for AVX-512 and for AVX2 + FMA, chosen at run
// time from cpuid; the work split into (batch row, KV head, block of positions) tasks over the
// weight kernels' thread set.
#include "kernels/causal_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "blas/cpu_features.h"
#include "kernels/row_threads.h"
#include "kernels/simd_isa.h"

namespace avss::kernels {
namespace {

constexpr std::int64_t kMaxHeadDim = 256;   // the tile's accumulator rows live on the stack
constexpr std::int64_t kBlockPositions = 16;  // positions per task: enough tasks to balance two threads at T = 64

}  // namespace

#if AVSS_SIMD_ISA

#define AVSS_KERNEL_BODY "kernels/causal_attention_body.inc"
#include "kernels/per_isa.inc"
#undef AVSS_KERNEL_BODY

namespace {

enum class Kernel { None, Avx512, Avx2 };

Kernel kernelFor(std::int64_t headDim, AttentionIsa isa) {
    static const auto cpu = blas::readCpuFeatures();
    if (headDim <= 0 || headDim > kMaxHeadDim) return Kernel::None;
    if (isa == AttentionIsa::Best && cpu.avx512Usable() && headDim % 64 == 0) return Kernel::Avx512;
    if (cpu.avx2Usable() && headDim % 32 == 0) return Kernel::Avx2;
    return Kernel::None;
}

// Block b of n in an order whose halves (and quarters) cost about the same: the causal cost grows
// with the block index, so blocks are taken in pairs from both ends.
std::int64_t zigzag(std::int64_t i, std::int64_t n) { return i % 2 == 0 ? i / 2 : n - 1 - i / 2; }

template <class Transpose, class Attend>
void run(const AttentionArgs& a, std::int64_t spad, Transpose transpose, Attend attend) {
    const std::int64_t heads = a.batch * a.kvHeads, stride = a.headDim * spad;
    thread_local std::vector<float> keys;  // reused between calls: a fresh buffer per layer costs page faults
    keys.resize(static_cast<std::size_t>(heads * stride));
    float* kt = keys.data();
    parallelRows(heads, 1, [&](std::int64_t h0, std::int64_t h1) {
        for (std::int64_t i = h0; i < h1; ++i) transpose(a, i / a.kvHeads, i % a.kvHeads, kt + i * stride, spad);
    });
    const std::int64_t blocks = (a.queries + kBlockPositions - 1) / kBlockPositions;
    parallelRows(heads * blocks, 1, [&](std::int64_t j0, std::int64_t j1) {
        for (std::int64_t j = j0; j < j1; ++j) {
            const std::int64_t i = j / blocks, blk = zigzag(j % blocks, blocks);
            const std::int64_t t0 = blk * kBlockPositions, t1 = std::min(a.queries, t0 + kBlockPositions);
            attend(a, i / a.kvHeads, i % a.kvHeads, t0, t1, kt + i * stride);
        }
    });
}

}  // namespace

bool fusedAttentionAvailable(std::int64_t headDim, AttentionIsa isa) { return kernelFor(headDim, isa) != Kernel::None; }

void causalAttention(const AttentionArgs& a, AttentionIsa isa) {
    switch (kernelFor(a.headDim, isa)) {
        case Kernel::Avx512: {
            const std::int64_t spad = (a.keys + avx512::KB - 1) / avx512::KB * avx512::KB;
            return run(a, spad, avx512::transposeKeys, avx512::attendBlock);
        }
        case Kernel::Avx2: {
            const std::int64_t spad = (a.keys + avx2::KB - 1) / avx2::KB * avx2::KB;
            return run(a, spad, avx2::transposeKeys, avx2::attendBlock);
        }
        case Kernel::None: break;
    }
    throw std::invalid_argument("causalAttention: no kernel for head size " + std::to_string(a.headDim) + " on this CPU");
}

#else  // no x86 kernels: callers take their general path

bool fusedAttentionAvailable(std::int64_t, AttentionIsa) { return false; }
void causalAttention(const AttentionArgs&, AttentionIsa) { throw std::invalid_argument("causalAttention: no kernel on this CPU"); }

#endif

}  // namespace avss::kernels
