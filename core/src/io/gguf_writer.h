// GGUF v3 writer: used to export pruned models and, in tests, to build tiny and corrupt models.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "avss/cancel.h"
#include "io/gguf_file.h"

namespace avss::io {

// A torch shape in ggml order (ne[0] is the contiguous, last torch dimension): the inverse of
// GgufTensorInfo::torchShape.
std::vector<std::uint64_t> ggmlShape(const std::vector<std::int64_t>& torchShape);

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
    // No copy: `data` (e.g. a mapped source file) must stay valid until write()/toBytes() return.
    void addTensorView(const std::string& name, std::vector<std::uint64_t> ne, std::uint32_t type, const std::uint8_t* data,
                       std::uint64_t size);

    std::vector<std::uint8_t> toBytes() const;
    // Streams header and tensor data to a temporary file in the same folder, then renames it into
    // place (util/atomic_file.h). Throws IoError; Cancelled (checked between tensors) leaves no file.
    void write(const std::filesystem::path& path, const CancelToken* cancel = nullptr) const;

private:
    struct Tensor {
        std::string name;
        std::vector<std::uint64_t> ne;
        std::uint32_t type;
        std::vector<std::uint8_t> owned;  // empty for views
        const std::uint8_t* data;
        std::uint64_t size;
    };
    std::vector<std::uint8_t> header() const;  // everything before the tensor data, padding included
    template <class Sink>
    void emit(Sink&& sink, const CancelToken* cancel) const;
    std::uint32_t m_alignment;
    std::vector<std::pair<std::string, GgufValue>> m_kv;
    std::vector<Tensor> m_tensors;
};

}  // namespace avss::io
