// Which product runs for which input: one activation row on fp32 weights is a matrix-vector product
// (BLAS GEMM would copy the whole weight into its packed layout first: 54% of decoding time,
// measured with perf); more rows on fp32 weights, and any rows on compact weights, run the row
// kernels (f32_rows.h, q8_matrix.h), which beat OpenBLAS's GEMM at every row count measured
// (docs/benchmarks.md); BLAS GEMM remains for autograd and for CPUs without AVX2.
#include "model/projection.h"

#include <torch/torch.h>

#include <algorithm>

#include "avss/error.h"
#include "kernels/f32_rows.h"
#include "model/product_threads.h"

namespace avss::model {
namespace {

// Without the fp32 row kernel (no AVX2), compact weights beyond this many rows are dequantised in
// slices for BLAS GEMM instead of running the portable int8 loop.
constexpr std::int64_t kKernelRows = 64;
// fp32 slice of a compact weight dequantised at a time for GEMM: bounds the scratch to 128 MiB.
constexpr std::int64_t kSliceElements = std::int64_t{32} << 20;

}  // namespace

Projection::Projection(at::Tensor fp32) : m_fp32(std::move(fp32)) {}

Projection Projection::compact(const at::Tensor& fp32) {
    const auto w = fp32.to(torch::kCPU, torch::kFloat32).contiguous();
    Projection p;
    p.m_q8 = std::make_shared<const kernels::Q8Matrix>(kernels::Q8Matrix::quantize(w.data_ptr<float>(), w.size(0), w.size(1)));
    return p;
}

Projection Projection::bf16(const at::Tensor& fp32) {
    Projection p;
    p.m_bf16 = fp32.to(torch::kBFloat16).contiguous();
    return p;
}

std::int64_t Projection::outFeatures() const { return m_q8 ? m_q8->rows() : m_bf16.defined() ? m_bf16.size(0) : m_fp32.size(0); }
std::int64_t Projection::inFeatures() const { return m_q8 ? m_q8->cols() : m_bf16.defined() ? m_bf16.size(1) : m_fp32.size(1); }
std::uint64_t Projection::bytes() const {
    if (m_q8) return m_q8->bytes();
    return m_bf16.defined() ? static_cast<std::uint64_t>(m_bf16.numel()) * 2 : static_cast<std::uint64_t>(m_fp32.numel()) * sizeof(float);
}

at::Tensor Projection::apply(const at::Tensor& x, const at::Tensor& bias) const {
    const auto in = inFeatures(), out = outFeatures();
    auto outShape = x.sizes().vec();
    outShape.back() = out;
    const auto m = x.numel() / in;
    if (m_bf16.defined()) {  // bf16 operands, fp32 result: the residual stream and the statistics stay fp32
        at::Tensor y;
        {
            const ProductThreads threads;
            y = torch::linear(x.to(torch::kBFloat16), m_bf16);
        }
        y = y.to(torch::kFloat32);
        if (bias.defined()) y.add_(bias);
        return y;
    }
    if (!m_q8) {
        if (m == 1 && x.device().is_cpu()) {
            auto y = at::mv(m_fp32, x.reshape({in}));
            if (bias.defined()) y.add_(bias);
            return y.view(outShape);
        }
        if (x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && !x.requires_grad() && !m_fp32.requires_grad() &&
            m_fp32.is_contiguous() && kernels::f32RowsAvailable(in)) {
            const auto x2 = x.reshape({m, in}).contiguous();
            auto y = torch::empty({m, out}, x2.options());
            kernels::multiplyF32(m_fp32.data_ptr<float>(), out, in, x2.data_ptr<float>(), m, in, y.data_ptr<float>(), out);
            if (bias.defined()) y.add_(bias);
            return y.view(outShape);
        }
        return torch::linear(x, m_fp32, bias);
    }
    const auto x2 = x.reshape({m, in}).contiguous();
    at::Tensor y;
    if (m <= kKernelRows || kernels::f32RowsAvailable(in)) {
        y = torch::empty({m, out}, x2.options());
        m_q8->multiply(x2.data_ptr<float>(), m, in, y.data_ptr<float>(), out);
    } else {
        const auto slice = std::max<std::int64_t>(1, std::min(out, kSliceElements / in));
        thread_local at::Tensor scratch;  // reused: a fresh 100 MB buffer per product costs page faults
        if (!scratch.defined() || scratch.numel() < slice * in) scratch = torch::empty({slice * in}, torch::kFloat32);
        if (slice == out) {
            m_q8->dequantizeRows(0, out, scratch.data_ptr<float>());
            y = torch::linear(x2, scratch.narrow(0, 0, out * in).view({out, in}));
        } else {
            y = torch::empty({m, out}, x2.options());
            for (std::int64_t r0 = 0; r0 < out; r0 += slice) {
                const auto n = std::min(slice, out - r0);
                m_q8->dequantizeRows(r0, n, scratch.data_ptr<float>());
                y.narrow(1, r0, n).copy_(torch::linear(x2, scratch.narrow(0, 0, n * in).view({n, in})));
            }
        }
    }
    if (bias.defined()) y.add_(bias);
    return y.view(outShape);
}

at::Tensor Projection::rows(const at::Tensor& ids) const {
    if (m_bf16.defined()) return torch::embedding(m_bf16, ids).to(torch::kFloat32);
    if (!m_q8) return torch::embedding(m_fp32, ids);
    const auto flat = ids.reshape({-1}).to(torch::kCPU, torch::kInt64).contiguous();
    const auto n = flat.numel(), in = inFeatures();
    const std::int64_t* id = flat.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < n; ++i) {
        if (id[i] < 0 || id[i] >= outFeatures()) {
            throw UsageError({}, "token id " + std::to_string(id[i]) + " is outside the vocabulary (0.." +
                                     std::to_string(outFeatures() - 1) + ")");
        }
    }
    auto out = torch::empty({n, in}, torch::kFloat32);
    float* dst = out.data_ptr<float>();
    for (std::int64_t i = 0; i < n; ++i) m_q8->dequantizeRows(id[i], 1, dst + i * in);
    auto shape = ids.sizes().vec();
    shape.push_back(in);
    return out.view(shape);
}

Projection Projection::to(c10::Device device) const {
    if (m_q8) {
        if (!device.is_cpu()) throw UsageError({}, "compact (q8) weights run on the CPU only; load with fp32 weights for " + device.str());
        return *this;
    }
    if (m_bf16.defined()) {
        Projection p;
        p.m_bf16 = m_bf16.to(device);
        return p;
    }
    return m_fp32.defined() ? Projection(m_fp32.to(device)) : Projection();
}

}  // namespace avss::model
