// Writing a changed copy of a model read from a Hugging Face folder, as a Hugging Face folder that
// transformers loads: the pruned export (layers removed and renumbered) and the tuned export
// (trained layers' tensors replaced). config.json gets num_hidden_layers and every per-layer list
// (e.g. layer_types) trimmed to the kept layers plus a manifest entry; one model.safetensors holds
// the tensors (bytes copied, dtype kept, replaced ones as F32); the folder's other files (tokenizer,
// generation config, chat template) are copied; the manifest is also written as its own file.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "avss/cancel.h"
#include "avss/model.h"

namespace avss::model {

struct ReplacedTensor {
    std::vector<std::int64_t> shape;  // must equal the stored tensor's
    std::vector<float> values;
};

struct HfFolderEdit {
    std::vector<int> kept;                          // original layer numbers, ascending; kept[i] becomes layer i
    std::map<std::string, ReplacedTensor> replaced;  // by the source's tensor name (original numbering)
    std::string manifestKey;                         // "avss_pruned" / "avss_tuned": config.json key and <key>.json
    nlohmann::json manifest;
};

// Creates `out` (UsageError when it exists and is not an empty folder), runs `fill`, and removes the
// folder again if `fill` throws. Returns the bytes of the files written into it.
std::uint64_t writeNewFolder(const std::filesystem::path& out, const std::function<void()>& fill);

// `out` must not exist or be an empty folder (UsageError otherwise); on any error or a cancel the
// folder is removed again. FormatError when a replaced tensor is missing or of another shape.
// Returns the bytes written.
std::uint64_t writeHfFolder(const ModelInfo& info, const HfFolderEdit& edit, const std::filesystem::path& out, const CancelToken* cancel);

}  // namespace avss::model
