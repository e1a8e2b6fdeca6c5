// Reading a model's weights out of a TensorSource (GGUF or Hugging Face checkpoint) into torch
// tensors (dequantised to fp32), kept as fp32, bfloat16 or re-quantised to int8 blocks (WeightStorage).
#pragma once

#include <c10/core/Device.h>

#include <string>
#include <vector>

#include "avss/cancel.h"
#include "avss/progress.h"
#include "blas/cpu_features.h"
#include "model/model_impl.h"
#include "model/tensor_source.h"

namespace avss::model {

struct LoadedWeights {
    Weights weights;
    std::vector<std::string> unusedTensors;  // present in the file but not consumed (reported, not fatal)
    std::int64_t parameterCount = 0;         // distinct parameters (tied LM head counted once)
    bool tiedEmbeddings = false;
    std::uint64_t weightBytes = 0;           // storage held by the weights (tied LM head once)
};

// Why a storage cannot run on this device and CPU, with what to use instead; empty when it can.
// q8 has CPU kernels only; bf16 on the CPU needs AVX-512 (BW, VL, DQ) for libtorch's oneDNN products
// (without it bf16 products fall back to a scalar loop, far slower than fp32).
struct StorageRefusal {
    std::string problem, remedy;  // both empty: the storage runs here
};
StorageRefusal storageRefusal(WeightStorage storage, c10::Device device, const blas::CpuFeatures& cpu);

// llama.cpp stores each head's rows as interleaved pairs (2i, 2i+1 ↔ i, i+d/2); this restores HF
// order so the forward can use rotate_half RoPE. [heads*d, in] → [heads*d, in].
at::Tensor unpermuteRows(const at::Tensor& w, int heads, int headDim);
// The inverse: HF row order back to llama.cpp's interleaved pairs (GGUF writers of `llama` rows).
at::Tensor permuteRows(const at::Tensor& w, int heads, int headDim);

// Every expected tensor must exist with the expected shape (FormatError naming the tensor, expected
// vs found); each is converted exactly once. Q/K rows are un-permuted when the source says so.
LoadedWeights loadWeights(TensorSource& src, const ArchTraits& arch, const HyperParams& hp, c10::Device device, WeightStorage storage);

}  // namespace avss::model
