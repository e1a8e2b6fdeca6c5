// safetensors reader: u64 little-endian header length | JSON header {name: {dtype, shape,
// data_offsets: [begin, end]}, "__metadata__": {...}} | tensor data (offsets relative to its start).
// Memory-mapped; the header's size, JSON, dtypes, shapes and offsets are all checked against the file
// before anything is read, so a hostile file yields a FormatError naming the file and the tensor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/mapped_file.h"

namespace avss::io {

struct SafetensorsTensor {
    std::string name;
    std::string dtype;                // as written: "F32", "F16", "BF16", "I64", ...
    std::vector<std::int64_t> shape;  // torch order (row-major, last dimension contiguous)
    std::uint64_t begin = 0, end = 0; // byte range relative to the data section
    std::uint64_t elements = 0;
    std::uint32_t ggmlType() const;   // F32/F16/BF16 as ggml type ids (for io::dequantize); ~0u otherwise
};

class SafetensorsFile {
public:
    // Throws IoError (cannot open) or FormatError (short file, header length or JSON invalid, unknown
    // dtype, shape and byte range disagreeing, range outside the file, overlapping tensors).
    static SafetensorsFile open(const std::filesystem::path& path);

    const std::filesystem::path& path() const noexcept { return m_file.path(); }
    std::uint64_t fileSize() const noexcept { return m_file.size(); }
    std::uint64_t dataOffset() const noexcept { return m_dataOffset; }
    const std::uint8_t* bytes() const noexcept { return m_file.data(); }
    const std::vector<SafetensorsTensor>& tensors() const noexcept { return m_tensors; }
    const SafetensorsTensor* find(std::string_view name) const;
    const std::uint8_t* data(const SafetensorsTensor& t) const { return m_file.data() + m_dataOffset + t.begin; }
    void releasePages(const SafetensorsTensor& t) const { m_file.releasePages(data(t), t.end - t.begin); }

private:
    explicit SafetensorsFile(MappedFile file) : m_file(std::move(file)) {}
    void parseHeader();

    MappedFile m_file;
    std::uint64_t m_dataOffset = 0;
    std::vector<SafetensorsTensor> m_tensors;
    std::unordered_map<std::string, std::size_t> m_index;
};

}  // namespace avss::io
