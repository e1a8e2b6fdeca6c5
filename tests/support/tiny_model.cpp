// Random tiny GGUF models (F32 weights) in the layout llama.cpp's converter produces.
#include "support/tiny_model.h"

#include <random>
#include <string>
#include <vector>

#include "io/gguf_file.h"
#include "io/gguf_writer.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/utf8.h"

namespace avss::test {
namespace {

std::vector<std::string> byteTokens() {
    std::vector<std::string> out;
    for (int b = 0; b < 256; ++b) {
        std::string s;
        tok::appendUtf8(s, tok::byteToCodePoint(static_cast<std::uint8_t>(b)));
        out.push_back(s);
    }
    return out;
}

}  // namespace

std::filesystem::path writeTinyModel(const std::filesystem::path& dir, const TinySpec& s) {
    std::vector<std::string> tokens{"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    std::vector<std::int32_t> types{3, 3, 3};
    for (auto& t : byteTokens()) {
        tokens.push_back(t);
        types.push_back(1);
    }
    const std::vector<std::string> merges{"Ġ t", "h e", "Ġt he", "i n", "a n", "e r", "o n", "Ġ a", "r e", "Ġ s", "Ġthe r"};
    for (const auto& m : merges) {
        tokens.push_back(m.substr(0, m.find(' ')) + m.substr(m.find(' ') + 1));
        types.push_back(1);
    }
    const int vocab = static_cast<int>(tokens.size());

    io::GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setString("general.name", "tiny-test-llama");
    w.setU32("llama.block_count", static_cast<std::uint32_t>(s.layers));
    w.setU32("llama.context_length", static_cast<std::uint32_t>(s.context));
    w.setU32("llama.embedding_length", static_cast<std::uint32_t>(s.hidden));
    w.setU32("llama.feed_forward_length", static_cast<std::uint32_t>(s.ffn));
    w.setU32("llama.attention.head_count", static_cast<std::uint32_t>(s.heads));
    w.setU32("llama.attention.head_count_kv", static_cast<std::uint32_t>(s.kvHeads));
    w.setF32("llama.rope.freq_base", static_cast<float>(s.ropeBase));
    w.setF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    w.setU32("llama.rope.dimension_count", static_cast<std::uint32_t>(s.hidden / s.heads));
    w.setString("tokenizer.ggml.model", "gpt2");
    w.setString("tokenizer.ggml.pre", "smollm");
    w.setStringArray("tokenizer.ggml.tokens", tokens);
    w.setI32Array("tokenizer.ggml.token_type", types);
    w.setStringArray("tokenizer.ggml.merges", merges);
    w.setU32("tokenizer.ggml.bos_token_id", 1);
    w.setU32("tokenizer.ggml.eos_token_id", 2);
    w.setU32("tokenizer.ggml.padding_token_id", 2);
    w.setBool("tokenizer.ggml.add_bos_token", false);

    std::mt19937_64 rng(s.seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const auto U = [](int v) { return static_cast<std::uint64_t>(v); };
    auto matrix = [&](const std::string& name, int rows, int cols, float scale) {
        std::vector<float> v(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
        for (auto& x : v) x = scale * normal(rng);
        w.addF32Tensor(name, {U(cols), U(rows)}, v);
    };
    auto norm = [&](const std::string& name) {
        std::vector<float> v(static_cast<std::size_t>(s.hidden));
        for (auto& x : v) x = 1.0f + 0.1f * normal(rng);
        w.addF32Tensor(name, {U(s.hidden)}, v);
    };
    const int headDim = s.hidden / s.heads;
    matrix("token_embd.weight", vocab, s.hidden, 1.0f);
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        norm(p + "attn_norm.weight");
        matrix(p + "attn_q.weight", s.heads * headDim, s.hidden, s.weightScale);
        matrix(p + "attn_k.weight", s.kvHeads * headDim, s.hidden, s.weightScale);
        matrix(p + "attn_v.weight", s.kvHeads * headDim, s.hidden, s.weightScale);
        matrix(p + "attn_output.weight", s.hidden, s.heads * headDim, s.weightScale);
        norm(p + "ffn_norm.weight");
        matrix(p + "ffn_gate.weight", s.ffn, s.hidden, s.weightScale);
        matrix(p + "ffn_up.weight", s.ffn, s.hidden, s.weightScale);
        matrix(p + "ffn_down.weight", s.hidden, s.ffn, s.weightScale);
    }
    norm("output_norm.weight");
    const auto path = dir / "tiny.gguf";
    w.write(path);
    return path;
}

std::filesystem::path rewriteGguf(const std::filesystem::path& src, const std::filesystem::path& dst,
                                  const std::function<void(io::GgufWriter&, const io::GgufFile&)>& edit,
                                  const std::string& dropTensor) {
    const auto f = io::GgufFile::open(src);
    io::GgufWriter w;
    for (const auto& [k, v] : f.metadata()) w.set(k, v);
    for (const auto& t : f.tensors()) {
        if (t.name == dropTensor) continue;
        const auto* p = f.tensorData(t);
        w.addTensor(t.name, t.ne, t.type, std::vector<std::uint8_t>(p, p + t.bytes));
    }
    edit(w, f);
    w.write(dst);
    return dst;
}

}  // namespace avss::test
