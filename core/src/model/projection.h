// A linear layer's weight [out, in] in the storage the model was loaded with: fp32 (the reference)
// or int8 blocks (compact, CPU only; kernels/q8_matrix.h). The forward calls apply() and never
// needs to know which.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>

#include "kernels/q8_matrix.h"

namespace avss::model {

class Projection {
public:
    Projection() = default;
    explicit Projection(at::Tensor fp32);                    // [out, in]
    static Projection compact(const at::Tensor& fp32);      // quantised copy; the fp32 input can be freed
    static Projection bf16(const at::Tensor& fp32);         // bfloat16 copy (half the memory; AMX/AVX-512 products)

    bool defined() const { return m_fp32.defined() || m_bf16.defined() || m_q8 != nullptr; }
    bool isCompact() const { return m_q8 != nullptr; }
    bool isBf16() const { return m_bf16.defined(); }
    std::int64_t outFeatures() const;
    std::int64_t inFeatures() const;
    std::uint64_t bytes() const;             // storage held
    const at::Tensor& fp32() const { return m_fp32; }  // undefined unless stored as fp32

    // x [..., in] → [..., out] (+ bias [out] when defined), fp32 on the weight's device.
    at::Tensor apply(const at::Tensor& x, const at::Tensor& bias = {}) const;
    // Embedding lookup: ids [...] int64 → [..., in]; UsageError for an id outside [0, out).
    at::Tensor rows(const at::Tensor& ids) const;

    Projection to(c10::Device device) const;  // compact storage stays on the CPU (UsageError otherwise)

private:
    at::Tensor m_fp32;
    at::Tensor m_bf16;
    std::shared_ptr<const kernels::Q8Matrix> m_q8;  // shared: a tied LM head is the embedding itself
};

}  // namespace avss::model
