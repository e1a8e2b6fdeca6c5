// silu(gate) · up for rows of a fused [gate | up] product (the MLP's gating, fp32 on the CPU): vectorised
// exp and rows split over the kernel threads, where the scalar loop called libm's expf 1.5 million
// times in a 32-row step of the sample model.
#pragma once

#include <cstdint>

namespace avss::kernels {

// out[r·ffn + i] = g / (1 + exp(−g)) · u with g = in[r·2ffn + i], u = in[r·2ffn + ffn + i].
// `split`: rows over the kernel threads; false keeps them on the calling thread (a bf16 pass, whose
// OpenMP workers spin on the other cores).
void siluGate(const float* in, std::int64_t rows, std::int64_t ffn, float* out, bool split = true);

}  // namespace avss::kernels
