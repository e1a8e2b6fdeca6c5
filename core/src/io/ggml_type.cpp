// The ggml type table (facts from ggml's ggml-common.h block structs).
#include "io/ggml_type.h"

#include <array>

namespace avss::io {
namespace {

constexpr std::array kTypes{
    GgmlTypeTraits{GgmlType::F32, "F32", 1, 4, true},
    GgmlTypeTraits{GgmlType::F16, "F16", 1, 2, true},
    GgmlTypeTraits{GgmlType::Q4_0, "Q4_0", 32, 18, true},
    GgmlTypeTraits{GgmlType::Q4_1, "Q4_1", 32, 20, true},
    GgmlTypeTraits{GgmlType::Q5_0, "Q5_0", 32, 22, true},
    GgmlTypeTraits{GgmlType::Q5_1, "Q5_1", 32, 24, true},
    GgmlTypeTraits{GgmlType::Q8_0, "Q8_0", 32, 34, true},
    GgmlTypeTraits{GgmlType::Q8_1, "Q8_1", 32, 36, false},
    GgmlTypeTraits{GgmlType::Q2_K, "Q2_K", 256, 84, true},
    GgmlTypeTraits{GgmlType::Q3_K, "Q3_K", 256, 110, true},
    GgmlTypeTraits{GgmlType::Q4_K, "Q4_K", 256, 144, true},
    GgmlTypeTraits{GgmlType::Q5_K, "Q5_K", 256, 176, true},
    GgmlTypeTraits{GgmlType::Q6_K, "Q6_K", 256, 210, true},
    GgmlTypeTraits{GgmlType::Q8_K, "Q8_K", 256, 292, true},
    GgmlTypeTraits{GgmlType::I8, "I8", 1, 1, false},
    GgmlTypeTraits{GgmlType::I16, "I16", 1, 2, false},
    GgmlTypeTraits{GgmlType::I32, "I32", 1, 4, false},
    GgmlTypeTraits{GgmlType::I64, "I64", 1, 8, false},
    GgmlTypeTraits{GgmlType::F64, "F64", 1, 8, false},
    GgmlTypeTraits{GgmlType::BF16, "BF16", 1, 2, true},
};

}  // namespace

std::optional<GgmlTypeTraits> ggmlTypeTraits(std::uint32_t id) {
    for (const auto& t : kTypes) {
        if (static_cast<std::uint32_t>(t.type) == id) return t;
    }
    return std::nullopt;
}

std::string dequantizableTypeNames() {
    std::string out;
    for (const auto& t : kTypes) {
        if (t.dequantizable) out += (out.empty() ? "" : ", ") + std::string(t.name);
    }
    return out;
}

std::string ggmlTypeName(std::uint32_t id) {
    if (auto t = ggmlTypeTraits(id)) return t->name;
    return "unknown(" + std::to_string(id) + ")";
}

}  // namespace avss::io
