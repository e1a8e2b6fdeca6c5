// Where a model's weights come from, under llama.cpp's tensor names (token_embd.weight,
// blk.N.attn_q.weight, ...): a GGUF file, or a Hugging Face checkpoint translated to those names.
// Each tensor is handed out once, as fp32 on the CPU, with its shape checked; what was never taken
// is reported.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "avss/cancel.h"
#include "avss/progress.h"
#include "io/gguf_file.h"

namespace avss::model {

class TensorSource {
public:
    TensorSource(const ProgressFn& progress, const CancelToken* cancel) : m_progress(progress), m_cancel(cancel) {}
    virtual ~TensorSource() = default;
    TensorSource(const TensorSource&) = delete;
    TensorSource& operator=(const TensorSource&) = delete;

    virtual const std::filesystem::path& path() const = 0;
    virtual bool has(const std::string& name) const = 0;
    // Q/K rows in llama.cpp's interleaved order (only GGUFs of architectures whose converter permutes).
    virtual bool permutedQK() const = 0;

    // FormatError naming the file and tensor when missing, of another shape, or taken twice;
    // UnsupportedError when its element type cannot be converted.
    at::Tensor take(const std::string& name, const std::vector<std::int64_t>& shape);
    std::int64_t consumedElements() const { return m_elements; }
    std::vector<std::string> unused() const;  // the source's own names

protected:
    struct Stored {
        std::string ownName;               // the name inside the file, for errors and unused()
        std::filesystem::path file;
        std::vector<std::int64_t> shape;   // torch order
        std::uint32_t ggmlType = 0;        // element encoding (io::dequantize)
        std::string typeName;
        const std::uint8_t* data = nullptr;
        std::uint64_t rowLength = 0;       // elements per contiguous row (the last dimension)
        std::uint64_t rowBytes = 0;
        std::uint64_t elements = 0;
    };
    virtual std::optional<Stored> lookup(const std::string& name) const = 0;
    virtual void finished(const std::string& name, at::Tensor& value) const = 0;  // release pages, fix conventions
    virtual std::vector<std::string> ownNames() const = 0;
    virtual std::size_t ownCount() const = 0;
    virtual std::string ownNameOf(const std::string& name) const { return name; }  // for "missing" errors

private:
    const ProgressFn& m_progress;
    const CancelToken* m_cancel;
    std::set<std::string> m_used;  // own names
    std::int64_t m_elements = 0;
};

class GgufTensorSource final : public TensorSource {
public:
    GgufTensorSource(const io::GgufFile& f, bool permutedQK, const ProgressFn& progress, const CancelToken* cancel)
        : TensorSource(progress, cancel), m_f(f), m_permuted(permutedQK) {}
    const std::filesystem::path& path() const override { return m_f.path(); }
    bool has(const std::string& name) const override { return m_f.findTensor(name) != nullptr; }
    bool permutedQK() const override { return m_permuted; }

private:
    std::optional<Stored> lookup(const std::string& name) const override;
    void finished(const std::string& name, at::Tensor& value) const override;
    std::vector<std::string> ownNames() const override;
    std::size_t ownCount() const override { return m_f.tensors().size(); }

    const io::GgufFile& m_f;
    bool m_permuted;
};

}  // namespace avss::model
