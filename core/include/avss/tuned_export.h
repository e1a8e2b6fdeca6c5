// Writing a fine-tuned copy of a model: the trained layers' tensors as F32 in the source's own
// layout (norm weights folded into the projections, written as a norm of one; q/k rows back in
// llama.cpp's order for such a GGUF; the attention scale taken out of q), every other tensor and all
// metadata copied byte for byte, then a self-check that reloads the copy and compares its logits with
// the tuned model's. A GGUF gives a GGUF; a model read from a Hugging Face folder gives a new folder
// (prunedExportIsFolder; config.json and avss_tuned.json name the tuned layers).
#pragma once

#include <filesystem>
#include <vector>

#include "avss/model.h"
#include "avss/prune_export.h"

namespace avss {

// `tuned` must be `original` with only `layers` changed (ContrastiveTrainer::tunedModel()). The
// source file is original.info().path. Throws UsageError (output equal to the source, shapes that
// do not match), IoError, FormatError (self-check failed: the output is deleted), Cancelled.
// Metadata added (GGUF): avss.tuned.layers, avss.tuned.source_fingerprint.
ExportResult exportTunedModel(const Model& original, const Model& tuned, const std::vector<int>& layers,
                              const std::filesystem::path& out, const ExportOptions& options = {},
                              const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

}  // namespace avss
