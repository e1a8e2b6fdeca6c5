// GGUF (v2/v3) reader: header, typed metadata (nested arrays too), tensor infos, tensor data views.
// The file is memory-mapped; every count, length, size and offset is checked against the file size
// before anything is allocated or read, so a hostile file yields a FormatError, never a huge
// allocation or an out-of-bounds read.
//
// Layout: magic "GGUF" | u32 version | u64 tensor_count | u64 kv_count | kv_count × (string key,
// u32 type, value) | tensor_count × (string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type,
// u64 offset) | zero padding to general.alignment (default 32) | tensor data (offsets relative here).
// Strings are u64 length + UTF-8 bytes; everything is little-endian.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "io/mapped_file.h"

namespace avss::io {

enum class GgufType : std::uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
    String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};
const char* ggufTypeName(GgufType t);

struct GgufValue;
struct GgufArray {
    GgufType elementType = GgufType::U8;
    std::vector<GgufValue> items;
};

struct GgufValue {
    GgufType type = GgufType::U8;
    // Unsigned ints widen to uint64, signed to int64, floats to double.
    std::variant<std::uint64_t, std::int64_t, double, bool, std::string, GgufArray> value;

    bool isInteger() const;
    bool isFloat() const { return type == GgufType::F32 || type == GgufType::F64; }
    std::optional<std::int64_t> asInt() const;   // any integer type that fits int64
    std::optional<double> asDouble() const;      // any integer or float type
    std::string toString(std::size_t maxItems = 8) const;  // short human-readable rendering
};

struct GgufTensorInfo {
    std::string name;
    std::vector<std::uint64_t> ne;  // ggml order: ne[0] is the contiguous dimension
    std::uint32_t type = 0;         // raw ggml_type id (see ggml_type.h)
    std::uint64_t offset = 0;       // relative to dataOffset()
    std::uint64_t elements = 0;
    std::uint64_t bytes = 0;
    std::vector<std::int64_t> torchShape() const;  // reverse(ne): [rows, cols] for a 2-D weight
};

class GgufFile {
public:
    // Throws IoError (cannot open) or FormatError (not GGUF, unsupported version, malformed,
    // truncated, inconsistent). The message names the file and the key or tensor at fault.
    static GgufFile open(const std::filesystem::path& path);

    const std::filesystem::path& path() const noexcept { return m_file.path(); }
    std::uint32_t version() const noexcept { return m_version; }
    std::uint64_t fileSize() const noexcept { return m_file.size(); }
    std::uint64_t dataOffset() const noexcept { return m_dataOffset; }
    std::uint32_t alignment() const noexcept { return m_alignment; }
    const std::uint8_t* bytes() const noexcept { return m_file.data(); }

    // Metadata in file order.
    const std::vector<std::pair<std::string, GgufValue>>& metadata() const noexcept { return m_metadata; }
    const GgufValue* find(std::string_view key) const;
    // Typed getters: nullopt when absent; FormatError naming the key when present with a wrong type.
    std::optional<std::int64_t> getInt(std::string_view key) const;
    std::optional<double> getFloat(std::string_view key) const;
    std::optional<bool> getBool(std::string_view key) const;
    std::optional<std::string> getString(std::string_view key) const;
    const GgufArray* getArray(std::string_view key) const;  // nullptr when absent; FormatError if not an array
    std::vector<std::string> getStringArray(std::string_view key) const;  // empty when absent
    std::vector<std::int64_t> getIntArray(std::string_view key) const;
    std::vector<double> getFloatArray(std::string_view key) const;

    const std::vector<GgufTensorInfo>& tensors() const noexcept { return m_tensors; }
    const GgufTensorInfo* findTensor(std::string_view name) const;
    const std::uint8_t* tensorData(const GgufTensorInfo& t) const { return m_file.data() + m_dataOffset + t.offset; }
    // Hint that a tensor's bytes are no longer needed: their pages leave this process's resident set
    // (still readable; they are read again on access).
    void releaseTensorPages(const GgufTensorInfo& t) const { m_file.releasePages(tensorData(t), t.bytes); }

private:
    explicit GgufFile(MappedFile file) : m_file(std::move(file)) {}

    MappedFile m_file;
    std::uint32_t m_version = 0;
    std::uint32_t m_alignment = 32;
    std::uint64_t m_dataOffset = 0;
    std::vector<std::pair<std::string, GgufValue>> m_metadata;
    std::unordered_map<std::string, std::size_t> m_keyIndex;
    std::vector<GgufTensorInfo> m_tensors;
    std::unordered_map<std::string, std::size_t> m_tensorIndex;

    friend class GgufParser;
};

}  // namespace avss::io
