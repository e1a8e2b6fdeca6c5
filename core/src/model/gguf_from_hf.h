// A model read from a Hugging Face folder written as one GGUF file (F32) that this engine and
// llama.cpp read: the inverse of hf_gguf_export.h. Metadata from the hyper-parameters and tokenizer,
// tensors through HfTensorSource (llama.cpp's names and conventions), llama Q/K rows permuted.
#pragma once

#include <filesystem>
#include <functional>
#include <vector>

#include "avss/cancel.h"
#include "avss/model.h"
#include "io/gguf_writer.h"

namespace avss::model {

// Writes the blocks `kept` (original numbers, ascending) of `model`, read from a folder, to `out`;
// `addMetadata` adds the caller's keys (the pruning manifest). UnsupportedError for what a GGUF cannot
// say (a query scale llama.cpp would not derive), IoError, Cancelled (no file left behind).
void writeGgufFromHf(const Model& model, const std::vector<int>& kept, const std::function<void(io::GgufWriter&)>& addMetadata,
                     const std::filesystem::path& out, const CancelToken* cancel);

}  // namespace avss::model
