// Depth-pruned GGUF export with a reload self-check (see avss/prune_export.h).
#include "avss/prune_export.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "avss/corpus.h"
#include "avss/error.h"
#include "io/gguf_file.h"
#include "io/gguf_writer.h"
#include "model/block_renumbering.h"
#include "model/export_check.h"
#include "model/hf_folder_export.h"
#include "model/gguf_from_hf.h"
#include "model/hf_gguf_export.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace avss {
namespace {

// Per-layer metadata arrays (e.g. llama.feed_forward_length in files with one value per layer) are
// trimmed to the kept layers; everything else is copied unchanged.
io::GgufValue trimmedIfPerLayer(const io::GgufValue& v, int layers, const std::vector<int>& kept) {
    const auto* a = std::get_if<io::GgufArray>(&v.value);
    if (a == nullptr || static_cast<int>(a->items.size()) != layers || a->elementType == io::GgufType::String) return v;
    io::GgufArray out{a->elementType, {}};
    for (int l : kept) out.items.push_back(a->items[static_cast<std::size_t>(l)]);
    return io::GgufValue{io::GgufType::Array, std::move(out)};
}

void addPrunedKeys(io::GgufWriter& w, const ModelInfo& info, const std::vector<int>& removed) {
    w.setI32Array("avss.pruned.removed_layers", std::vector<std::int32_t>(removed.begin(), removed.end()));
    w.setU32("avss.pruned.original_block_count", static_cast<std::uint32_t>(info.hparams.layers));
    w.setString("avss.pruned.source_fingerprint", info.fingerprint);
}

void writePruned(const io::GgufFile& src, const Model& model, const std::vector<int>& removed, const std::vector<int>& kept,
                 const std::filesystem::path& out, const CancelToken* cancel) {
    const auto& info = model.info();
    const std::string prefix = info.arch + ".";
    io::GgufWriter w(src.alignment());
    for (const auto& [key, value] : src.metadata()) {
        if (key == "general.alignment") continue;  // the writer adds it for a non-default alignment
        w.set(key, key.rfind(prefix, 0) == 0 ? trimmedIfPerLayer(value, info.hparams.layers, kept) : value);
    }
    w.setU32(prefix + "block_count", static_cast<std::uint32_t>(kept.size()));
    if (const auto& sliding = info.hparams.slidingLayers; !sliding.empty()) {  // kept blocks keep their kind, whatever their new index
        io::GgufArray flags{io::GgufType::Bool, {}};
        for (int l : kept) flags.items.push_back(io::GgufValue{io::GgufType::Bool, sliding[static_cast<std::size_t>(l)]});
        w.set(prefix + "attention.sliding_window_pattern", io::GgufValue{io::GgufType::Array, std::move(flags)});
    }
    addPrunedKeys(w, info, removed);
    const model::BlockRenumbering renumber(info.hparams.layers, kept);
    for (const auto& t : src.tensors()) {
        if (const auto name = renumber.rename(t.name, src.path())) w.addTensorView(*name, t.ne, t.type, src.tensorData(t), t.bytes);
    }
    w.write(out, cancel);
}

}  // namespace

bool prunedExportIsFolder(const ModelInfo& info, ExportFormat format) {
    if (format == ExportFormat::SameAsSource) return info.format == "safetensors";  // folder in, folder out
    return format == ExportFormat::HfFolder;
}

ExportResult exportPrunedModel(const Model& model, const std::vector<int>& removedLayers, const std::filesystem::path& out,
                               const ExportOptions& options, const ProgressFn& progress, const CancelToken* cancel) {
    const auto start = std::chrono::steady_clock::now();
    const auto& info = model.info();
    const auto skip = model::skipMask(info.hparams.layers, removedLayers);  // validates the numbers
    ExportResult r;
    r.path = out;
    r.layersBefore = info.hparams.layers;
    for (int l = 0; l < info.hparams.layers; ++l) (skip[static_cast<std::size_t>(l)] ? r.removed : r.kept).push_back(l);
    if (r.kept.empty()) throw UsageError(out, "every block would be removed", "Keep at least one block.");
    std::error_code ec;
    if (std::filesystem::equivalent(out, info.path, ec)) throw UsageError(out, "is the model being pruned", "Choose another output file.");

    report(progress, Progress{"exporting", 0, 2, "steps"});
    if (prunedExportIsFolder(info, options.format)) {
        const nlohmann::json manifest = {{"removed_layers", r.removed}, {"kept_layers", r.kept}, {"original_num_hidden_layers", r.layersBefore},
                                         {"source", info.path.string()}, {"source_fingerprint", info.fingerprint}};
        r.bytes = info.format == "safetensors" ? model::writeHfFolder(info, {r.kept, {}, "avss_pruned", manifest}, out, cancel)
                                                : model::writeHfFolderFromGguf(model, r.kept, "avss_pruned", manifest, out, cancel);
    } else if (info.format == "safetensors") {
        model::writeGgufFromHf(model, r.kept, [&](io::GgufWriter& w) { addPrunedKeys(w, info, r.removed); }, out, cancel);
        r.bytes = std::filesystem::file_size(out);
    } else {
        const auto src = io::GgufFile::open(info.path);
        writePruned(src, model, r.removed, r.kept, out, cancel);
        r.bytes = std::filesystem::file_size(out);
    }
    report(progress, Progress{"exporting", 1, 2, "steps"});
    if (options.selfCheck) {
        if (cancel) cancel->throwIfCancelled();
        model::checkExportOrDelete(model, &skip, out, options.checkTokens, "the reloaded pruned model differs from the skip-mask forward", r);
    }
    report(progress, Progress{"exporting", 2, 2, "steps"});
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace avss

namespace avss::model {

std::pair<double, double> compareWithExport(const Model& reference, const std::vector<bool>* skip, const std::filesystem::path& exported,
                                            int checkTokens) {
    const auto written = Model::load(exported, LoadOptions{Device::Cpu});
    auto ids = reference.tokenizer().encode(builtinSampleText().substr(0, 2000), false);
    ids.resize(std::min<std::size_t>(ids.size(), static_cast<std::size_t>(std::max(checkTokens, 2))));
    torch::InferenceMode guard;
    const auto tokens = torch::tensor(std::vector<std::int64_t>(ids.begin(), ids.end()), torch::kInt64).unsqueeze(0);
    const auto mask = torch::ones_like(tokens, torch::kBool);
    ForwardOptions o;
    o.skip = skip;
    const auto& ref = modelImpl(reference);
    const auto expected = forward(ref, tokens.to(ref.device), mask.to(ref.device), o).cpu();
    const auto actual = forward(modelImpl(*written), tokens, mask).cpu();
    return {(expected - actual).abs().max().item<double>(), expected.abs().max().item<double>()};
}

void checkExportOrDelete(const Model& reference, const std::vector<bool>* skip, const std::filesystem::path& exported, int checkTokens,
                         const char* what, ExportResult& r) {
    std::error_code ec;
    auto discard = [&] { std::filesystem::remove_all(exported, ec); };  // a file, or the folder the export created
    try {
        std::tie(r.maxLogitDiff, r.maxLogit) = compareWithExport(reference, skip, exported, checkTokens);
    } catch (...) {
        discard();
        throw;
    }
    if (!(r.maxLogitDiff <= 1e-4 * std::max(1.0, r.maxLogit))) {
        discard();
        throw FormatError(exported, std::string("self-check failed: ") + what + " by " + std::to_string(r.maxLogitDiff) + " (max |logit| " +
                                        std::to_string(r.maxLogit) + ")",
                          "The file was deleted; please report this as a bug.");
    }
    r.selfChecked = true;
}

}  // namespace avss::model
