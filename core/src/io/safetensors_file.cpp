// safetensors parsing with every size checked before use (the format has been a vector for huge
// allocations when the header length goes unchecked).
#include "io/safetensors_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>

#include "avss/error.h"
#include "io/ggml_type.h"

namespace avss::io {
namespace {

constexpr std::uint64_t kMaxHeader = 100ull << 20;  // the reference implementation's own limit
constexpr const char* kHint = "The file is damaged or not a safetensors file; download it again.";

struct DtypeRow {
    const char* name;
    std::uint32_t bytes;
    std::uint32_t ggml;  // ~0u: readable but not convertible
};
constexpr DtypeRow kDtypes[] = {
    {"F32", 4, static_cast<std::uint32_t>(GgmlType::F32)}, {"F16", 2, static_cast<std::uint32_t>(GgmlType::F16)},
    {"BF16", 2, static_cast<std::uint32_t>(GgmlType::BF16)}, {"F64", 8, ~0u}, {"I64", 8, ~0u}, {"I32", 4, ~0u},
    {"I16", 2, ~0u}, {"I8", 1, ~0u}, {"U8", 1, ~0u}, {"BOOL", 1, ~0u}, {"F8_E4M3", 1, ~0u}, {"F8_E5M2", 1, ~0u},
};

const DtypeRow* dtypeRow(std::string_view name) {
    for (const auto& d : kDtypes) {
        if (name == d.name) return &d;
    }
    return nullptr;
}

}  // namespace

std::uint32_t SafetensorsTensor::ggmlType() const {
    const auto* d = dtypeRow(dtype);
    return d ? d->ggml : ~0u;
}

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
    SafetensorsFile f{MappedFile(path)};
    f.parseHeader();
    return f;
}

const SafetensorsTensor* SafetensorsFile::find(std::string_view name) const {
    const auto it = m_index.find(std::string(name));
    return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

void SafetensorsFile::parseHeader() {
    const auto& p = path();
    const std::uint64_t size = fileSize();
    if (size < 8) throw FormatError(p, "is " + std::to_string(size) + " bytes, too short for a safetensors header", kHint);
    std::uint64_t headerLen = 0;
    std::memcpy(&headerLen, bytes(), 8);  // little-endian, as every supported host is
    if (headerLen > kMaxHeader || headerLen > size - 8) {
        throw FormatError(p, "header length " + std::to_string(headerLen) + " exceeds " +
                                 (headerLen > kMaxHeader ? "the 100 MiB limit" : "the file (" + std::to_string(size) + " bytes)"),
                          kHint);
    }
    m_dataOffset = 8 + headerLen;
    const std::uint64_t dataBytes = size - m_dataOffset;
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes() + 8, bytes() + 8 + headerLen);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(p, std::string("header is not valid JSON (") + e.what() + ")", kHint);
    }
    if (!header.is_object()) throw FormatError(p, "header is not a JSON object", kHint);
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") continue;
        const std::string where = "tensor '" + name + "'";
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets") ||
            !entry["dtype"].is_string() || !entry["shape"].is_array() || !entry["data_offsets"].is_array() ||
            entry["data_offsets"].size() != 2) {
            throw FormatError(p, where + " needs a dtype string, a shape array and two data_offsets", kHint);
        }
        SafetensorsTensor t;
        t.name = name;
        t.dtype = entry["dtype"].get<std::string>();
        const auto* row = dtypeRow(t.dtype);
        if (row == nullptr) throw FormatError(p, where + " has unknown dtype '" + t.dtype + "'", kHint);
        std::uint64_t elements = 1;
        if (entry["shape"].size() > 8) throw FormatError(p, where + " has " + std::to_string(entry["shape"].size()) + " dimensions", kHint);
        for (const auto& d : entry["shape"]) {
            if (!d.is_number_unsigned() || d.get<std::uint64_t>() > (1ull << 40)) throw FormatError(p, where + " has an invalid dimension " + d.dump(), kHint);
            const auto n = d.get<std::uint64_t>();
            if (n != 0 && elements > (std::numeric_limits<std::uint64_t>::max() / 8) / n) throw FormatError(p, where + "'s shape overflows", kHint);
            elements *= n;
            t.shape.push_back(static_cast<std::int64_t>(n));
        }
        const auto& off = entry["data_offsets"];
        if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned()) throw FormatError(p, where + " has invalid data_offsets", kHint);
        t.begin = off[0].get<std::uint64_t>();
        t.end = off[1].get<std::uint64_t>();
        t.elements = elements;
        if (t.begin > t.end || t.end > dataBytes) {
            throw FormatError(p, where + " occupies bytes " + std::to_string(t.begin) + ".." + std::to_string(t.end) +
                                     ", outside the data section (" + std::to_string(dataBytes) + " bytes)",
                              "The file is truncated or damaged; download it again.");
        }
        if (t.end - t.begin != elements * row->bytes) {
            throw FormatError(p, where + " is " + std::to_string(t.end - t.begin) + " bytes, but " + t.dtype + " with " +
                                     std::to_string(elements) + " elements needs " + std::to_string(elements * row->bytes), kHint);
        }
        m_index.emplace(t.name, m_tensors.size());
        m_tensors.push_back(std::move(t));
    }
    std::vector<const SafetensorsTensor*> order;
    for (const auto& t : m_tensors) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
    for (std::size_t i = 1; i < order.size(); ++i) {
        if (order[i]->begin < order[i - 1]->end) {
            throw FormatError(p, "tensors '" + order[i - 1]->name + "' and '" + order[i]->name + "' overlap", kHint);
        }
    }
}

}  // namespace avss::io
