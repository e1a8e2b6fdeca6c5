// Hugging Face folder → changed Hugging Face folder (the GGUF exports' rules, in transformers' names).
#include "model/hf_folder_export.h"


#include "avss/error.h"
#include "io/hf_checkpoint.h"
#include "io/safetensors_writer.h"
#include "model/arch_traits.h"
#include "model/block_renumbering.h"
#include "model/hf_hparams.h"
#include "util/atomic_file.h"
#include "util/text.h"

namespace avss::model {
namespace {

// Files of the source folder the pruned folder gets its own version of.
bool rewritten(const std::string& name) {
    return name == "config.json" || name == "model.safetensors.index.json" ||
           (name.size() > 12 && util::endsWith(name, ".safetensors"));
}

// Lists with one entry per layer (e.g. layer_types) keep the kept layers' entries.
void trimPerLayerLists(nlohmann::json& config, int layers, const std::vector<int>& kept) {
    for (auto& [key, value] : config.items()) {
        if (key == "architectures" || !value.is_array() || static_cast<int>(value.size()) != layers) continue;
        nlohmann::json trimmed = nlohmann::json::array();
        for (int l : kept) trimmed.push_back(value[static_cast<std::size_t>(l)]);
        value = trimmed;
    }
}

void writeFolder(const io::HfCheckpoint& src, const ModelInfo& info, const HfFolderEdit& edit, const std::filesystem::path& out,
                 const CancelToken* cancel) {
    const int layers = info.hparams.layers;
    const auto& kept = edit.kept;
    auto config = src.config();
    // A vision-language folder keeps its text stack's settings under text_config.
    auto& text = config.contains("text_config") && config["text_config"].is_object() ? config["text_config"] : config;
    text[hfLayerCountKey(archTraits(info.arch, info.path.string()))] = kept.size();
    trimPerLayerLists(text, layers, kept);
    if (const auto& sliding = info.hparams.slidingLayers; !sliding.empty() && !text.contains("layer_types")) {
        auto kinds = nlohmann::json::array();  // a config that derives the kinds from the block index gets them listed
        for (int l : kept) kinds.push_back(sliding[static_cast<std::size_t>(l)] ? "sliding_attention" : "full_attention");
        text["layer_types"] = kinds;
    }
    config[edit.manifestKey] = edit.manifest;
    util::writeFileAtomically(out / "config.json", config.dump(2) + "\n");
    util::writeFileAtomically(out / (edit.manifestKey + ".json"), edit.manifest.dump(2) + "\n");

    // model.layers.N; a vision-language text stack's language_model.model.layers.N (transformers 4) or
    // model.language_model.layers.N (5); GPT-2's [transformer.]h.N.
    const BlockRenumbering renumber(layers, kept, R"(^((?:language_model\.model\.|model\.language_model\.|model\.)layers\.|(?:transformer\.)?h\.)(\d+)\.(.+)$)");
    std::vector<io::SafetensorsEntry> entries;
    std::size_t replaced = 0;
    for (const auto& shard : src.shards()) {
        for (const auto& t : shard.tensors()) {
            const auto renamed = renumber.rename(t.name, shard.path());
            if (!renamed) continue;  // a removed layer
            const auto& name = *renamed;
            if (const auto it = edit.replaced.find(t.name); it != edit.replaced.end()) {
                if (it->second.shape != t.shape) throw FormatError(shard.path(), "tensor '" + t.name + "' has another shape than its replacement");
                const auto* values = reinterpret_cast<const std::uint8_t*>(it->second.values.data());
                entries.push_back({name, "F32", t.shape, values, it->second.values.size() * sizeof(float)});
                ++replaced;
                continue;
            }
            entries.push_back({name, t.dtype, t.shape, shard.data(t), t.end - t.begin});
        }
    }
    if (replaced != edit.replaced.size()) throw FormatError(info.path, "the checkpoint lacks some tensors to replace");
    io::writeSafetensors(out / "model.safetensors", entries, {{"format", "pt"}}, cancel);
    for (const auto& e : std::filesystem::directory_iterator(src.dir())) {
        if (cancel) cancel->throwIfCancelled();
        if (e.is_regular_file() && !rewritten(e.path().filename().string())) std::filesystem::copy_file(e.path(), out / e.path().filename());
    }
}

}  // namespace

std::uint64_t writeNewFolder(const std::filesystem::path& out, const std::function<void()>& fill) {
    std::error_code ec;
    if (std::filesystem::exists(out, ec) && !(std::filesystem::is_directory(out, ec) && std::filesystem::is_empty(out, ec))) {
        throw UsageError(out, "already exists", "A Hugging Face model is written as a new folder; choose a name that does not exist.");
    }
    std::filesystem::create_directories(out, ec);
    if (ec) throw IoError(out, "cannot create the folder (" + ec.message() + ")");
    try {
        fill();
    } catch (...) {
        std::filesystem::remove_all(out, ec);
        throw;
    }
    std::uint64_t bytes = 0;
    for (const auto& e : std::filesystem::directory_iterator(out)) bytes += e.is_regular_file() ? e.file_size() : 0;
    return bytes;
}

std::uint64_t writeHfFolder(const ModelInfo& info, const HfFolderEdit& edit, const std::filesystem::path& out, const CancelToken* cancel) {
    const auto src = io::HfCheckpoint::open(info.path);
    return writeNewFolder(out, [&] { writeFolder(src, info, edit, out, cancel); });
}

}  // namespace avss::model
