// Per-architecture facts as data: one row per GGUF `general.architecture`. A new family adds a row
// (and at most a small file for a real quirk), not a copied model class.
#pragma once

#include <string>
#include <string_view>

namespace avss::model {

enum class NormKind { Rms, Layer };  // Layer: LayerNorm with weight and bias (GPT-2)
enum class Activation { Silu, GeluTanh };  // GeluTanh: GELU, tanh approximation (gelu_pytorch_tanh)

struct ArchTraits {
    const char* name;          // general.architecture value
    const char* families;      // human-readable list for `avss info` and errors
    NormKind norm;
    Activation activation;
    bool gatedMlp;             // act(gate(x)) * up(x) → down
    bool ggufPermutedQK;       // llama.cpp's converter interleaved Q/K rows (undone at load, see docs/engine.md)
    bool qkvBias;              // attention projections carry biases
    double defaultRopeBase;    // when {arch}.rope.freq_base is absent
    bool scaleEmbeddings;      // embedding rows times sqrt(hidden) before the first block (Gemma)
    bool fusedQkv;             // one blk.N.attn_qkv tensor, rows q then k then v (Phi-3)
    bool fusedGateUp;          // blk.N.ffn_up holds 2F rows, gate then up, and there is no ffn_gate (Phi-3)
    const char* hfModelTypes;  // config.json model_type values this row runs, space-separated
    bool hfNormPlusOne;        // Hugging Face checkpoints store RMSNorm weights as w for a 1 + w norm (Gemma)
    // Gemma 2/3 (defaults: none of it). Blocks norm the attention and MLP outputs again before the
    // residual add (blk.N.post_attention_norm, post_ffw_norm; ffn_norm is then pre_feedforward_layernorm).
    bool postNorms = false;
    bool qkNorm = false;             // per-head RMSNorm of q and k before RoPE (blk.N.attn_q_norm, attn_k_norm; Gemma 3)
    int slidingPeriod = 0;           // > 0: every n-th block is global, the others slide (llama.cpp's set_swa_pattern)
    double slidingRopeBase = 0.0;    // > 0: the sliding blocks' own unscaled RoPE base (Gemma 3: 10000)
    int wideQueryScaleLayers = 0;    // GGUF: with this block count, queries scale by 1/sqrt(hidden/heads) (the 27B models)
    bool hfGemmaAttention = false;   // config.json's query_pre_attn_scalar, softcapping and layer_types apply
    // GPT-2: learned absolute positions (position_embd.weight) instead of RoPE, and biases on every
    // projection (attn_output, ffn_up, ffn_down) and norm.
    bool learnedPositions = false;
    bool projectionBiases = false;
};

// The row for an architecture, or UnsupportedError (naming `file`) listing the supported ones.
const ArchTraits& archTraits(std::string_view arch, const std::string& file);
std::string supportedArchitectures();
// The row for a Hugging Face config.json model_type, or UnsupportedError naming `file`.
const ArchTraits& archTraitsForModelType(std::string_view modelType, const std::string& file);

}  // namespace avss::model
