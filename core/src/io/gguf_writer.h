// GGUF v3 writer: used to export pruned models and, in tests, to build tiny and corrupt models.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/gguf_file.h"

namespace avss::io {

class GgufWriter {
public:
    explicit GgufWriter(std::uint32_t alignment = 32) : m_alignment(alignment) {}

    void set(const std::string& key, GgufValue value);  // replaces an existing key in place
    void setU32(const std::string& key, std::uint32_t v);
    void setI32(const std::string& key, std::int32_t v);
    void setU64(const std::string& key, std::uint64_t v);
    void setF32(const std::string& key, float v);
    void setBool(const std::string& key, bool v);
    void setString(const std::string& key, std::string v);
    void setStringArray(const std::string& key, const std::vector<std::string>& v);
    void setI32Array(const std::string& key, const std::vector<std::int32_t>& v);
    void setF32Array(const std::string& key, const std::vector<float>& v);

    // ne in ggml order (ne[0] contiguous); data must hold exactly the type's byte size.
    void addTensor(const std::string& name, std::vector<std::uint64_t> ne, std::uint32_t type, std::vector<std::uint8_t> data);
    void addF32Tensor(const std::string& name, std::vector<std::uint64_t> ne, const std::vector<float>& values);

    std::vector<std::uint8_t> toBytes() const;
    // Atomic: writes "<path>.tmp-<pid>" in the same folder, flushes, renames. Throws IoError.
    void write(const std::filesystem::path& path) const;

private:
    struct Tensor {
        std::string name;
        std::vector<std::uint64_t> ne;
        std::uint32_t type;
        std::vector<std::uint8_t> data;
    };
    std::uint32_t m_alignment;
    std::vector<std::pair<std::string, GgufValue>> m_kv;
    std::vector<Tensor> m_tensors;
};

// Writes `bytes` to `path` atomically (temp file in the same folder, fsync, rename). Throws IoError.
void writeFileAtomically(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

}  // namespace avss::io
