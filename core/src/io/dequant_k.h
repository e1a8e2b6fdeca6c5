// The K-quant super-block formats (256 elements per block) converted to fp32.
#pragma once

#include <cstdint>

namespace avss::io {

// Converts `elements` values (a multiple of 256) of a K-quant type; returns false for any other type.
bool dequantizeK(std::uint32_t type, const std::uint8_t* src, float* dst, std::uint64_t elements);

}  // namespace avss::io
