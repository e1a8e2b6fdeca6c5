// The depth-pruned copy of a model read from a Hugging Face folder, as a Hugging Face folder that
// transformers loads: config.json with num_hidden_layers and per-layer lists trimmed, one
// model.safetensors with the kept layers renumbered (bytes copied, dtype kept), the folder's other
// files (tokenizer, generation config, chat template) copied, and avss_pruned.json naming what went.
#pragma once

#include <filesystem>
#include <vector>

#include "avss/cancel.h"
#include "avss/model.h"

namespace avss::model {

// `out` must not exist or be an empty folder (UsageError otherwise); on any error or a cancel the
// folder is removed again. Returns the bytes written.
std::uint64_t writePrunedHfFolder(const ModelInfo& info, const std::vector<int>& removed, const std::vector<int>& kept,
                                  const std::filesystem::path& out, const CancelToken* cancel);

}  // namespace avss::model
