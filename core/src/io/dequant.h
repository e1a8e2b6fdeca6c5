// Conversion of ggml-encoded tensor data to fp32 (one function per block type, dispatched by id).
#pragma once

#include <cstdint>

namespace avss::io {

float halfToFloat(std::uint16_t h);   // IEEE binary16 → binary32, exact (subnormals, inf, NaN)
float bf16ToFloat(std::uint16_t h);   // bfloat16 → binary32, exact
std::uint16_t floatToHalf(float f);   // round-to-nearest-even (used by writers and tests)

// Converts `elements` values of ggml type `type` starting at `src` into `dst`.
// `elements` must be a multiple of the type's block size (the GGUF reader guarantees this per row).
// Throws UnsupportedError (no file named; callers add the tensor) when the type cannot be converted.
void dequantize(std::uint32_t type, const std::uint8_t* src, float* dst, std::uint64_t elements);

}  // namespace avss::io
