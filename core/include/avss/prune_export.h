// Writing a depth-pruned copy of a model: the kept blocks renumbered 0..K-1, block_count and every
// per-layer metadata array trimmed, tensors copied byte for byte (no re-quantisation), then a
// self-check that reloads the file and compares it with the skip-mask forward of the original.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "avss/cancel.h"
#include "avss/model.h"
#include "avss/progress.h"

namespace avss {

// What a pruned export writes: the source's own format, or a Hugging Face folder (also from a GGUF).
enum class ExportFormat { SameAsSource, HfFolder, Gguf };

struct ExportOptions {
    ExportFormat format = ExportFormat::SameAsSource;
    bool selfCheck = true;
    int checkTokens = 64;  // tokens of the built-in sample text used by the self-check
};

struct ExportResult {
    std::filesystem::path path;
    std::vector<int> removed;        // original block numbers, ascending
    std::vector<int> kept;           // original block numbers, ascending; kept[i] became blk.i
    int layersBefore = 0;
    std::uint64_t bytes = 0;
    bool selfChecked = false;
    double maxLogitDiff = 0;         // |pruned file − original with skip mask|, over checkTokens positions
    double maxLogit = 0;             // max |logit| of the original (the scale of the difference)
    double seconds = 0;
};

// The source is model.info().path. A model read from a Hugging Face folder is written as a Hugging
// Face folder at `out` (see model/hf_folder_export.h), a GGUF as a GGUF, or, with
// ExportFormat::HfFolder, as a Hugging Face folder too (model/hf_gguf_export.h: F32 weights, config.json
// and tokenizer.json written from the model). Throws UsageError (no block left, bad layer number, output equal
// to the source), UnsupportedError (what a folder cannot hold), IoError, FormatError (self-check failed:
// the output is deleted), Cancelled (no file left behind). Metadata added: avss.pruned.removed_layers,
// avss.pruned.original_block_count, avss.pruned.source_fingerprint (a folder: an avss_pruned entry and file).
// ExportFormat::Gguf writes one F32 GGUF from a folder (model/gguf_from_hf.h).
// Whether exportPrunedModel writes a folder (a model read from a Hugging Face folder unless Gguf is
// asked, or HfFolder asked) or one GGUF file.
bool prunedExportIsFolder(const ModelInfo& info, ExportFormat format = ExportFormat::SameAsSource);

ExportResult exportPrunedModel(const Model& model, const std::vector<int>& removedLayers, const std::filesystem::path& out,
                               const ExportOptions& options = {}, const ProgressFn& progress = {},
                               const CancelToken* cancel = nullptr);

}  // namespace avss
