// ggml tensor element types as stored in GGUF: ids, block sizes and byte sizes (one table row each).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace avss::io {

enum class GgmlType : std::uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, BF16 = 30,
};

struct GgmlTypeTraits {
    GgmlType type;
    const char* name;
    std::uint32_t blockElements;  // elements per block (1 for plain types)
    std::uint32_t blockBytes;     // bytes per block
    bool dequantizable;           // this build can convert it to fp32
};

// Traits for a raw id, or nullopt when the id is unknown or removed from ggml.
std::optional<GgmlTypeTraits> ggmlTypeTraits(std::uint32_t id);
std::string ggmlTypeName(std::uint32_t id);  // "Q4_1", or "unknown(42)"
std::string dequantizableTypeNames();       // "F32, F16, …", for error messages

}  // namespace avss::io
