// Hugging Face folder → GGUF (see gguf_from_hf.h). Keys are those hparams.cpp and gguf_tokenizer.cpp
// read (llama.cpp's names); a GGUF written here reloads to the folder's logits (the export self-check).
#include "model/gguf_from_hf.h"

#include <torch/torch.h>

#include <cmath>

#include "avss/error.h"
#include "io/gguf_writer.h"
#include "io/hf_checkpoint.h"
#include "model/arch_traits.h"
#include "model/block_renumbering.h"
#include "model/hf_hparams.h"
#include "model/hparams.h"
#include "model/hf_tensor_source.h"
#include "model/weights.h"
#include "util/text.h"

namespace avss::model {
namespace {


void writeHyperParams(io::GgufWriter& w, const ArchTraits& arch, const HyperParams& hp, const std::vector<int>& kept, const std::filesystem::path& src) {
    const std::string a = std::string(arch.name) + ".";
    w.setU32(a + "block_count", static_cast<std::uint32_t>(kept.size()));
    w.setU32(a + "context_length", static_cast<std::uint32_t>(hp.contextLength));
    w.setU32(a + "embedding_length", static_cast<std::uint32_t>(hp.hidden));
    w.setU32(a + "feed_forward_length", static_cast<std::uint32_t>(hp.ffn));
    w.setU32(a + "attention.head_count", static_cast<std::uint32_t>(hp.heads));
    w.setU32(a + "attention.head_count_kv", static_cast<std::uint32_t>(hp.kvHeads));
    w.setU32(a + "attention.key_length", static_cast<std::uint32_t>(hp.headDim));
    w.setU32(a + "attention.value_length", static_cast<std::uint32_t>(hp.headDim));
    w.setU32(a + "vocab_size", static_cast<std::uint32_t>(hp.vocab));
    if (arch.norm == NormKind::Layer) {
        w.setF32(a + "attention.layer_norm_epsilon", static_cast<float>(hp.normEps));
    } else {
        w.setF32(a + "attention.layer_norm_rms_epsilon", static_cast<float>(hp.normEps));
        w.setF32(a + "rope.freq_base", static_cast<float>(hp.ropeBase));
        w.setU32(a + "rope.dimension_count", static_cast<std::uint32_t>(hp.headDim));
    }
    if (hp.ropeLinearFactor != 1.0) {
        w.setString(a + "rope.scaling.type", "linear");
        w.setF32(a + "rope.scaling.factor", static_cast<float>(hp.ropeLinearFactor));
    }
    if (hp.slidingWindow > 0) w.setU32(a + "attention.sliding_window", static_cast<std::uint32_t>(hp.slidingWindow));
    if (hp.slidingWindow > 0 && !hp.slidingLayers.empty()) {
        io::GgufArray flags{io::GgufType::Bool, {}};
        for (int l : kept) flags.items.push_back(io::GgufValue{io::GgufType::Bool, bool{hp.slidingLayers[static_cast<std::size_t>(l)]}});
        w.set(a + "attention.sliding_window_pattern", io::GgufValue{io::GgufType::Array, std::move(flags)});
    }
    if (hp.slidingWindow > 0 && hp.slidingRopeBase > 0.0) w.setF32(a + "rope.freq_base_swa", static_cast<float>(hp.slidingRopeBase));
    if (hp.attnSoftcap > 0.0) w.setF32(a + "attn_logit_softcapping", static_cast<float>(hp.attnSoftcap));
    if (hp.finalSoftcap > 0.0) w.setF32(a + "final_logit_softcapping", static_cast<float>(hp.finalSoftcap));
    if (hp.yarn) {  // llama.cpp's keys; its ramp ends are always whole dimensions
        if (!hp.yarn->truncate) throw UnsupportedError(src, "its YaRN scaling has truncate = false, which GGUF cannot express", "Export it as a Hugging Face folder.");
        w.setString(a + "rope.scaling.type", "yarn");
        w.setF32(a + "rope.scaling.factor", static_cast<float>(hp.yarn->factor));
        w.setU32(a + "rope.scaling.original_context_length", static_cast<std::uint32_t>(hp.yarn->originalContext));
        w.setF32(a + "rope.scaling.yarn_beta_fast", static_cast<float>(hp.yarn->betaFast));
        w.setF32(a + "rope.scaling.yarn_beta_slow", static_cast<float>(hp.yarn->betaSlow));
        const double extra = hp.ropeAttentionFactor / yarnDefaultAttention(hp.yarn->factor);  // beyond llama.cpp's 1 + 0.1 ln factor
        if (std::abs(extra - 1.0) > 1e-12) w.setF32(a + "rope.scaling.yarn_attn_factor", static_cast<float>(extra));
    } else if (hp.ropeAttentionFactor != 1.0) {
        throw UnsupportedError(src, "its RoPE attention factor has no GGUF key", "Export it as a Hugging Face folder.");
    }
    // GGUF has no query-scale key for these rows: llama.cpp (and hparams.cpp) derive it from the shape.
    const int layers = static_cast<int>(kept.size());
    const double derived = arch.wideQueryScaleLayers > 0 && layers == arch.wideQueryScaleLayers ? static_cast<double>(hp.hidden / hp.heads)
                                                                                                : static_cast<double>(hp.headDim);
    const double scalarPart = hp.queryScale() / (hp.ropeAttentionFactor * hp.ropeAttentionFactor);  // YaRN's share comes from its keys
    if (std::abs(1.0 / std::sqrt(derived) - scalarPart) > 1e-12) {
        throw UnsupportedError(src, "its query scale 1/sqrt(" + std::to_string(hp.queryScalar) + ") differs from the 1/sqrt(" + std::to_string(derived) +
                                        ") a GGUF of this shape implies",
                               "Export it as a Hugging Face folder.");
    }
}

void writeTokenizer(io::GgufWriter& w, const TokenizerSpec& t) {
    w.setString("tokenizer.ggml.model", t.model);
    w.setString("tokenizer.ggml.pre", t.pre.empty() ? "default" : t.pre);
    w.setStringArray("tokenizer.ggml.tokens", t.tokens);
    if (!t.tokenTypes.empty()) w.setI32Array("tokenizer.ggml.token_type", t.tokenTypes);
    if (!t.merges.empty()) w.setStringArray("tokenizer.ggml.merges", t.merges);
    if (!t.scores.empty()) w.setF32Array("tokenizer.ggml.scores", t.scores);
    const auto id = [&](const char* key, std::int32_t v) {
        if (v >= 0) w.setU32(key, static_cast<std::uint32_t>(v));
    };
    id("tokenizer.ggml.bos_token_id", t.bosId);
    id("tokenizer.ggml.eos_token_id", t.eosId);
    id("tokenizer.ggml.unknown_token_id", t.unkId);
    id("tokenizer.ggml.padding_token_id", t.padId);
    w.setBool("tokenizer.ggml.add_bos_token", t.addBos);
    w.setBool("tokenizer.ggml.add_eos_token", t.addEos);
    if (t.model == "llama") w.setBool("tokenizer.ggml.add_space_prefix", t.addSpacePrefix);
    if (!t.chatTemplate.empty()) w.setString("tokenizer.chat_template", t.chatTemplate);
}

}  // namespace

void writeGgufFromHf(const Model& model, const std::vector<int>& kept, const std::function<void(io::GgufWriter&)>& addMetadata,
                     const std::filesystem::path& out, const CancelToken* cancel) {
    const auto& info = model.info();
    const auto& hp = info.hparams;
    const auto& arch = archTraits(info.arch, info.path.string());
    io::GgufWriter w(32);
    w.setString("general.architecture", arch.name);
    w.setString("general.name", info.name);
    w.setU32("general.file_type", 0);  // all F32
    writeHyperParams(w, arch, hp, kept, info.path);
    writeTokenizer(w, model.tokenizer().spec());
    addMetadata(w);

    const auto checkpoint = io::HfCheckpoint::open(info.path);
    const auto config = readHfConfig(checkpoint.config(), checkpoint.configPath());
    const ProgressFn none;
    HfTensorSource src(checkpoint, config, none, cancel);
    const BlockRenumbering renumber(hp.layers, kept);
    torch::NoGradGuard noGrad;
    auto names = HfTensorSource::knownNames(arch, hp.layers);
    names.emplace_back("rope_freqs.weight");  // computed from config.json's llama3 scaling
    for (const auto& g : names) {
        if (!src.has(g)) continue;
        const auto renamed = renumber.rename(g, info.path);
        if (!renamed) continue;  // a removed block
        const auto& name = *renamed;
        std::vector<std::int64_t> shape;
        if (g == "rope_freqs.weight") {
            shape = {hp.headDim / 2};
        } else {
            shape = checkpoint.find(HfTensorSource::checkpointNameIn(checkpoint, g, arch)).tensor->shape;
            if (HfTensorSource::isConv1D(g, arch)) std::swap(shape[0], shape[1]);
        }
        auto v = src.take(g, shape);  // llama.cpp's conventions applied (Gemma's 1 + w, GPT-2's transposes)
        if (arch.ggufPermutedQK && util::endsWith(g, ".attn_q.weight")) v = permuteRows(v, hp.heads, hp.headDim);
        if (arch.ggufPermutedQK && util::endsWith(g, ".attn_k.weight")) v = permuteRows(v, hp.kvHeads, hp.headDim);
        v = v.contiguous();
        w.addF32Tensor(name, io::ggmlShape(v.sizes().vec()), std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel()));
    }
    w.write(out, cancel);
}

}  // namespace avss::model
