// GGUF → Hugging Face folder (see hf_gguf_export.h): the conventions llama.cpp's converters apply are
// undone here, the mirror of hf_tensor_source.cpp, which applies them when reading a folder.
#include "model/hf_gguf_export.h"

#include <torch/torch.h>


#include "avss/error.h"
#include "io/gguf_file.h"
#include "io/safetensors_writer.h"
#include "model/arch_traits.h"
#include "model/block_renumbering.h"
#include "model/hf_config_writer.h"
#include "model/hf_folder_export.h"
#include "model/hf_tensor_source.h"
#include "model/weights.h"
#include "tokenizer/hf_tokenizer_writer.h"
#include "util/text.h"
#include "util/atomic_file.h"

namespace avss::model {
namespace {


// One GGUF tensor, dequantised, in transformers' layout.
at::Tensor hfLayout(GgufTensorSource& src, const io::GgufTensorInfo& t, const std::string& name, const ArchTraits& arch, const HyperParams& hp) {
    auto v = src.take(t.name, t.torchShape());
    if (arch.ggufPermutedQK && util::endsWith(name, ".attn_q.weight")) v = unpermuteRows(v, hp.heads, hp.headDim);
    if (arch.ggufPermutedQK && util::endsWith(name, ".attn_k.weight")) v = unpermuteRows(v, hp.kvHeads, hp.headDim);
    if (arch.hfNormPlusOne && util::endsWith(name, "norm.weight")) v = v - 1.0;  // the converter stored 1 + w
    if (HfTensorSource::isConv1D(name, arch)) v = v.t().contiguous();
    return v.contiguous();
}

void writeTensors(const Model::Impl& m, const io::GgufFile& f, const std::vector<int>& kept, const std::filesystem::path& out,
                  const CancelToken* cancel) {
    const auto& arch = *m.arch;
    const BlockRenumbering renumber(m.hp.layers, kept);
    const ProgressFn none;
    GgufTensorSource src(f, false, none, cancel);
    std::vector<at::Tensor> keep;  // the values stay alive until the file is written
    std::vector<io::SafetensorsEntry> entries;
    for (const auto& t : f.tensors()) {
        if (t.name == "rope_freqs.weight") continue;  // config.json's rope_scaling (hfConfigFor)
        const auto renamed = renumber.rename(t.name, f.path());
        if (!renamed) continue;  // a removed block
        const auto& name = *renamed;
        const auto hfName = HfTensorSource::checkpointName(name, arch);
        if (hfName.empty()) throw UnsupportedError(f.path(), "tensor '" + t.name + "' has no Hugging Face name for architecture '" + arch.name + "'");
        keep.push_back(hfLayout(src, t, name, arch, m.hp));
        const auto& v = keep.back();
        entries.push_back({hfName, "F32", v.sizes().vec(), static_cast<const std::uint8_t*>(v.data_ptr()), static_cast<std::uint64_t>(v.nbytes())});
    }
    io::writeSafetensors(out / "model.safetensors", entries, {{"format", "pt"}}, cancel);
}

}  // namespace

std::uint64_t writeHfFolderFromGguf(const Model& model, const std::vector<int>& kept, const std::string& manifestKey,
                                    const nlohmann::json& manifest, const std::filesystem::path& out, const CancelToken* cancel) {
    const auto& m = modelImpl(model);
    const auto& spec = model.tokenizer().spec();
    const auto f = io::GgufFile::open(model.info().path);
    std::vector<float> ropeFreqs;  // Llama 3.1+: written as config.json parameters, not as a tensor
    if (const auto* t = f.findTensor("rope_freqs.weight")) {
        const ProgressFn none;
        GgufTensorSource src(f, false, none, cancel);
        const auto v = src.take(t->name, t->torchShape()).contiguous();
        ropeFreqs.assign(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
    }
    auto config = hfConfigFor(model.info(), spec, kept, ropeFreqs);  // refusals before anything is written
    config[manifestKey] = manifest;
    const auto tokenizer = tok::hfTokenizerJson(spec);
    return writeNewFolder(out, [&] {
        torch::NoGradGuard noGrad;
        util::writeFileAtomically(out / "config.json", config.dump(2) + "\n");
        util::writeFileAtomically(out / "tokenizer.json", tokenizer.dump(1) + "\n");
        util::writeFileAtomically(out / "tokenizer_config.json", tok::hfTokenizerConfig(spec, m.hp.contextLength).dump(2) + "\n");
        nlohmann::json generation = nlohmann::json::object();
        if (spec.bosId >= 0) generation["bos_token_id"] = spec.bosId;
        if (spec.eosId >= 0) generation["eos_token_id"] = spec.eosId;
        util::writeFileAtomically(out / "generation_config.json", generation.dump(2) + "\n");
        util::writeFileAtomically(out / (manifestKey + ".json"), manifest.dump(2) + "\n");
        writeTensors(m, f, kept, out, cancel);
    });
}

}  // namespace avss::model
