// The shared half of every TensorSource (checks, conversion to fp32 in parallel rows, bookkeeping)
// and the GGUF source, whose names are already llama.cpp's.
#include "model/tensor_source.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "avss/error.h"
#include "io/dequant.h"
#include "io/ggml_type.h"

namespace avss::model {
namespace {

std::string shapeString(const std::vector<std::int64_t>& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

}  // namespace

at::Tensor TensorSource::take(const std::string& name, const std::vector<std::int64_t>& shape) {
    if (m_cancel) m_cancel->throwIfCancelled();
    const auto stored = lookup(name);
    if (!stored) throw FormatError(path(), "tensor '" + ownNameOf(name) + "' is missing", "The model is not complete.");
    if (stored->shape != shape) {
        throw FormatError(stored->file, "tensor '" + stored->ownName + "' has shape " + shapeString(stored->shape) + ", expected " +
                                            shapeString(shape));
    }
    if (!m_used.insert(stored->ownName).second) throw FormatError(stored->file, "tensor '" + stored->ownName + "' consumed twice");
    const auto traits = io::ggmlTypeTraits(stored->ggmlType);
    if (!traits || !traits->dequantizable) {
        throw UnsupportedError(stored->file, "tensor '" + stored->ownName + "' uses type " + stored->typeName + ", which cannot be converted yet",
                               "Supported: " + io::dequantizableTypeNames() + ".");
    }
    auto out = torch::empty(shape, torch::kFloat32);
    const auto rowLen = static_cast<std::int64_t>(stored->rowLength);
    const auto rows = static_cast<std::int64_t>(stored->elements) / std::max<std::int64_t>(rowLen, 1);
    float* dst = out.data_ptr<float>();
    at::parallel_for(0, rows, 64, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) {
            io::dequantize(stored->ggmlType, stored->data + static_cast<std::uint64_t>(r) * stored->rowBytes, dst + r * rowLen,
                           static_cast<std::uint64_t>(rowLen));
        }
    });
    finished(name, out);
    m_elements += static_cast<std::int64_t>(stored->elements);
    const auto total = static_cast<std::int64_t>(ownCount());
    report(m_progress, Progress{"loading", static_cast<std::int64_t>(m_used.size()), total, "tensors"});
    return out;
}

std::vector<std::string> TensorSource::unused() const {
    std::vector<std::string> out;
    for (const auto& n : ownNames()) {
        if (!m_used.count(n)) out.push_back(n);
    }
    return out;
}

std::optional<TensorSource::Stored> GgufTensorSource::lookup(const std::string& name) const {
    const auto* info = m_f.findTensor(name);
    if (info == nullptr) return std::nullopt;
    Stored s{name, m_f.path(), info->torchShape(), info->type, io::ggmlTypeName(info->type), m_f.tensorData(*info), info->ne[0], 0, info->elements};
    if (const auto traits = io::ggmlTypeTraits(info->type); traits && traits->blockElements > 0) {
        s.rowBytes = info->ne[0] / traits->blockElements * traits->blockBytes;
    }
    return s;
}

void GgufTensorSource::finished(const std::string& name, at::Tensor&) const {
    // Converted: its file pages need not count towards the process's memory.
    if (const auto* info = m_f.findTensor(name)) m_f.releaseTensorPages(*info);
}

std::vector<std::string> GgufTensorSource::ownNames() const {
    std::vector<std::string> out;
    for (const auto& t : m_f.tensors()) out.push_back(t.name);
    return out;
}

}  // namespace avss::model
