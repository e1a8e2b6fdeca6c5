// llama.cpp name ↔ transformers name, as a table (the converters' mapping for these families).
#include "model/hf_tensor_source.h"

#include <torch/torch.h>

#include <set>

#include "avss/error.h"
#include "util/text.h"

namespace avss::model {
namespace {

struct NameRow {
    const char* gguf;  // after "blk.N."
    const char* hf;    // after "model.layers.N."
};
constexpr NameRow kBlockNames[] = {
    {"attn_norm.weight", "input_layernorm.weight"},   {"post_ffw_norm.weight", "post_feedforward_layernorm.weight"},
    {"attn_q_norm.weight", "self_attn.q_norm.weight"}, {"attn_k_norm.weight", "self_attn.k_norm.weight"},
    {"attn_q.weight", "self_attn.q_proj.weight"},     {"attn_q.bias", "self_attn.q_proj.bias"},
    {"attn_k.weight", "self_attn.k_proj.weight"},     {"attn_k.bias", "self_attn.k_proj.bias"},
    {"attn_v.weight", "self_attn.v_proj.weight"},     {"attn_v.bias", "self_attn.v_proj.bias"},
    {"attn_qkv.weight", "self_attn.qkv_proj.weight"}, {"attn_output.weight", "self_attn.o_proj.weight"},
    {"ffn_gate.weight", "mlp.gate_proj.weight"},      {"ffn_down.weight", "mlp.down_proj.weight"},
};
// GPT-2 (after "transformer.h.N."; Conv1D weights are stored [in, out], see isConv1D).
constexpr NameRow kGpt2BlockNames[] = {
    {"attn_norm.weight", "ln_1.weight"},           {"attn_norm.bias", "ln_1.bias"},
    {"attn_qkv.weight", "attn.c_attn.weight"},     {"attn_qkv.bias", "attn.c_attn.bias"},
    {"attn_output.weight", "attn.c_proj.weight"},  {"attn_output.bias", "attn.c_proj.bias"},
    {"ffn_norm.weight", "ln_2.weight"},            {"ffn_norm.bias", "ln_2.bias"},
    {"ffn_up.weight", "mlp.c_fc.weight"},          {"ffn_up.bias", "mlp.c_fc.bias"},
    {"ffn_down.weight", "mlp.c_proj.weight"},      {"ffn_down.bias", "mlp.c_proj.bias"},
};
constexpr NameRow kGpt2GlobalNames[] = {
    {"token_embd.weight", "transformer.wte.weight"},  {"position_embd.weight", "transformer.wpe.weight"},
    {"output_norm.weight", "transformer.ln_f.weight"}, {"output_norm.bias", "transformer.ln_f.bias"},
    {"output.weight", "lm_head.weight"},
};
constexpr const char* kRopeFreqs = "rope_freqs.weight";
constexpr const char* kGpt2Prefix = "transformer.";  // save_pretrained writes it; the original OpenAI checkpoints lack it

std::string gpt2Name(const std::string& g) {
    for (const auto& row : kGpt2GlobalNames) {
        if (g == row.gguf) return row.hf;
    }
    if (g.rfind("blk.", 0) != 0) return {};
    const auto dot = g.find('.', 4);
    if (dot == std::string::npos) return {};
    const auto role = g.substr(dot + 1);
    for (const auto& row : kGpt2BlockNames) {
        if (role == row.gguf) return std::string(kGpt2Prefix) + "h." + g.substr(4, dot - 4) + "." + row.hf;
    }
    return {};
}

bool isNorm(const std::string& ggufName) { return ggufName.size() > 11 && util::endsWith(ggufName, "norm.weight"); }

}  // namespace

std::vector<std::string> HfTensorSource::knownNames(const ArchTraits& arch, int layers) {
    std::vector<std::string> out{"token_embd.weight", "position_embd.weight", "output_norm.weight", "output_norm.bias", "output.weight"};
    std::vector<std::string> roles{"ffn_up.weight", "ffn_norm.weight", "post_attention_norm.weight"};
    for (const auto& row : kBlockNames) roles.emplace_back(row.gguf);
    for (const auto& row : kGpt2BlockNames) roles.emplace_back(row.gguf);
    std::vector<std::string> names;
    for (const auto& g : out) {
        if (!checkpointName(g, arch).empty()) names.push_back(g);
    }
    for (int l = 0; l < layers; ++l) {
        std::set<std::string> seen;
        for (const auto& role : roles) {
            const auto g = "blk." + std::to_string(l) + "." + role;
            if (!checkpointName(g, arch).empty() && seen.insert(g).second) names.push_back(g);
        }
    }
    return names;
}

bool HfTensorSource::isConv1D(const std::string& g, const ArchTraits& arch) {
    if (!arch.learnedPositions || g.rfind("blk.", 0) != 0) return false;
    for (const char* role : {".attn_qkv.weight", ".attn_output.weight", ".ffn_up.weight", ".ffn_down.weight"}) {
        if (util::endsWith(g, role)) return true;  // names start with "blk.", so never just the role
    }
    return false;
}

std::string HfTensorSource::checkpointNameIn(const io::HfCheckpoint& c, const std::string& g, const ArchTraits& arch) {
    auto own = checkpointName(g, arch);
    if (own.empty() || c.find(own).tensor != nullptr) return own;
    const std::string prefix = kGpt2Prefix;
    if (arch.learnedPositions && own.rfind(prefix, 0) == 0) return own.substr(prefix.size());
    // A vision-language folder keeps the text stack under language_model (transformers 4 and 5 spellings).
    if (own.rfind("model.", 0) == 0) {
        for (const char* stack : {"language_model.model.", "model.language_model."}) {
            const auto nested = stack + own.substr(6);
            if (c.find(nested).tensor != nullptr) return nested;
        }
    }
    return own;
}

std::string HfTensorSource::checkpointName(const std::string& g, const ArchTraits& arch) {
    if (arch.learnedPositions) return gpt2Name(g);
    if (g == "token_embd.weight") return "model.embed_tokens.weight";
    if (g == "output_norm.weight") return "model.norm.weight";
    if (g == "output.weight") return "lm_head.weight";
    if (g.rfind("blk.", 0) != 0) return {};
    const auto dot = g.find('.', 4);
    if (dot == std::string::npos) return {};
    const auto prefix = "model.layers." + g.substr(4, dot - 4) + ".";
    const auto role = g.substr(dot + 1);
    if (role == "ffn_up.weight") return prefix + (arch.fusedGateUp ? "mlp.gate_up_proj.weight" : "mlp.up_proj.weight");
    // With post norms, post_attention_layernorm norms the attention output and the MLP's own pre-norm follows.
    if (role == "ffn_norm.weight") return prefix + (arch.postNorms ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight");
    if (role == "post_attention_norm.weight" && arch.postNorms) return prefix + "post_attention_layernorm.weight";
    for (const auto& row : kBlockNames) {
        if (role == row.gguf) return prefix + row.hf;
    }
    return {};
}

HfTensorSource::HfTensorSource(const io::HfCheckpoint& c, const HfModelConfig& config, const ProgressFn& progress,
                               const CancelToken* cancel)
    : TensorSource(progress, cancel), m_c(c), m_config(config) {
    const bool head = c.find("lm_head.weight").tensor != nullptr;
    m_tied = config.tiedEmbeddings.value_or(!head);
    if (!m_tied && !head) {
        throw FormatError(c.configPath(), "tie_word_embeddings is false but the checkpoint has no lm_head.weight",
                          "The folder is not a complete model; download it again.");
    }
}

bool HfTensorSource::has(const std::string& name) const {
    if (name == kRopeFreqs) return !m_config.ropeFreqFactors.empty();
    if (name == "output.weight" && m_tied) return false;  // tied: the embedding serves, a stored copy is ignored
    const auto own = checkpointNameIn(m_c, name, *m_config.arch);
    return !own.empty() && m_c.find(own).tensor != nullptr;
}

std::optional<TensorSource::Stored> HfTensorSource::lookup(const std::string& name) const {
    if (name == kRopeFreqs) {  // computed from config.json (see HfModelConfig)
        if (m_config.ropeFreqFactors.empty()) return std::nullopt;
        const auto n = m_config.ropeFreqFactors.size();
        return Stored{"rope_scaling (config.json)", m_c.configPath(), {static_cast<std::int64_t>(n)}, 0, "F32",
                      reinterpret_cast<const std::uint8_t*>(m_config.ropeFreqFactors.data()), n, n * sizeof(float), n};
    }
    if (!has(name)) return std::nullopt;
    const auto own = checkpointNameIn(m_c, name, *m_config.arch);
    const auto at = m_c.find(own);
    const auto& t = *at.tensor;
    const std::uint64_t rowLength = t.shape.empty() ? 1 : static_cast<std::uint64_t>(t.shape.back());
    const std::uint64_t elementBytes = t.elements ? (t.end - t.begin) / t.elements : 0;
    auto shape = t.shape;  // a Conv1D weight is announced as [out, in]; finished() transposes the values
    if (isConv1D(name, *m_config.arch) && shape.size() == 2) std::swap(shape[0], shape[1]);
    return Stored{own, at.file->path(), shape, t.ggmlType(), t.dtype, at.file->data(t), rowLength, rowLength * elementBytes, t.elements};
}

void HfTensorSource::finished(const std::string& name, at::Tensor& value) const {
    if (m_config.arch->hfNormPlusOne && isNorm(name)) value.add_(1.0);  // llama.cpp's converter stores 1 + w
    if (isConv1D(name, *m_config.arch)) value = value.view({value.size(1), value.size(0)}).t().contiguous();  // [in, out] → [out, in]
    if (name == kRopeFreqs) return;
    const auto at = m_c.find(checkpointNameIn(m_c, name, *m_config.arch));
    if (at.tensor) at.file->releasePages(*at.tensor);
}

}  // namespace avss::model
