// Writes the binary seed inputs of the fuzz targets (small GGUF models and analysis caches) with
// the project's own writers, so the committed seeds can be regenerated after a format change:
//   build-fuzz/tests/fuzz/fuzz_make_seeds tests/data/fuzz
// Text seeds (corpus, JSONL records, tokenizer, session) are plain files committed as they are.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "avss/stats_cache.h"
#include "core/test_stats_fixtures.h"
#include "io/dequant.h"
#include "io/ggml_type.h"
#include "io/gguf_writer.h"

namespace {

namespace fs = std::filesystem;
using avss::io::GgmlType;
using avss::io::GgufWriter;

// A tiny byte-level BPE vocabulary: three specials, printable ASCII, Ġ/Ċ (space, newline), merges.
void addTokenizer(GgufWriter& w) {
    std::vector<std::string> tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    std::vector<std::int32_t> types = {3, 3, 3};
    for (char c = '!'; c <= '~'; ++c) tokens.emplace_back(1, c), types.push_back(1);
    for (const char* t : {"\xC4\xA0", "\xC4\x8A", "\xC4\xA0t", "he", "\xC4\xA0the"}) tokens.emplace_back(t), types.push_back(1);
    w.setString("tokenizer.ggml.model", "gpt2");
    w.setString("tokenizer.ggml.pre", "smollm");
    w.setStringArray("tokenizer.ggml.tokens", tokens);
    w.setI32Array("tokenizer.ggml.token_type", types);
    w.setStringArray("tokenizer.ggml.merges", {"\xC4\xA0 t", "h e", "\xC4\xA0t he"});
    w.setU32("tokenizer.ggml.bos_token_id", 0);
    w.setU32("tokenizer.ggml.eos_token_id", 2);
    w.setBool("tokenizer.ggml.add_bos_token", false);
    w.setString("tokenizer.chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}");
}

void addHParams(GgufWriter& w, std::uint32_t vocab) {
    w.setString("general.architecture", "llama");
    w.setString("general.name", "fuzz-seed");
    w.setU32("llama.block_count", 1);
    w.setU32("llama.context_length", 64);
    w.setU32("llama.embedding_length", 32);
    w.setU32("llama.feed_forward_length", 64);
    w.setU32("llama.attention.head_count", 2);
    w.setU32("llama.attention.head_count_kv", 1);
    w.setF32("llama.rope.freq_base", 10000.0f);
    w.setF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    w.setU32("llama.vocab_size", vocab);
}

// `rows` rows of 32 elements in `type`, bytes from a fixed pattern (every block type's fields vary).
void addTensor(GgufWriter& w, const std::string& name, GgmlType type, std::uint64_t rows) {
    const auto traits = *avss::io::ggmlTypeTraits(static_cast<std::uint32_t>(type));
    const std::uint64_t elements = 32 * rows;
    std::vector<std::uint8_t> bytes(elements / traits.blockElements * traits.blockBytes);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 37 + 11);
    if (type == GgmlType::F16 || type == GgmlType::Q4_0 || type == GgmlType::Q8_0) {  // finite half scales
        for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) bytes[i + 1] &= 0x3B;
    }
    w.addTensor(name, {32, rows}, static_cast<std::uint32_t>(type), std::move(bytes));
}

void writeGgufSeeds(const fs::path& dir) {
    fs::create_directories(dir);
    {  // a complete tiny model: metadata, tokenizer, a few small tensors
        GgufWriter w;
        addHParams(w, 102);
        addTokenizer(w);
        addTensor(w, "token_embd.weight", GgmlType::F16, 2);
        addTensor(w, "blk.0.attn_q.weight", GgmlType::Q8_0, 1);
        addTensor(w, "output_norm.weight", GgmlType::F32, 1);
        w.write(dir / "tiny-model.gguf");
    }
    {  // metadata of every value type, nested arrays, a non-default alignment, no tensors
        GgufWriter w(64);
        w.setU32("general.alignment", 64);
        w.set("u8", {avss::io::GgufType::U8, std::uint64_t{200}});
        w.set("i8", {avss::io::GgufType::I8, std::int64_t{-5}});
        w.set("u16", {avss::io::GgufType::U16, std::uint64_t{60000}});
        w.set("i16", {avss::io::GgufType::I16, std::int64_t{-300}});
        w.set("u64", {avss::io::GgufType::U64, std::uint64_t{1} << 40});
        w.set("i64", {avss::io::GgufType::I64, -(std::int64_t{1} << 40)});
        w.set("f64", {avss::io::GgufType::F64, 2.5});
        w.setBool("flag", true);
        w.setF32Array("floats", {1.0f, -2.0f, 0.5f});
        avss::io::GgufArray inner{avss::io::GgufType::U32, {{avss::io::GgufType::U32, std::uint64_t{1}}, {avss::io::GgufType::U32, std::uint64_t{2}}}};
        avss::io::GgufArray outer{avss::io::GgufType::Array, {{avss::io::GgufType::Array, inner}, {avss::io::GgufType::Array, inner}}};
        w.set("nested", {avss::io::GgufType::Array, outer});
        w.write(dir / "metadata-only.gguf");
    }
    {  // one small tensor of each type the reader dequantises, 64-byte alignment
        GgufWriter w(64);
        w.setU32("general.alignment", 64);
        const GgmlType types[] = {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1,
                                  GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0};
        for (const auto t : types) {
            if (avss::io::ggmlTypeTraits(static_cast<std::uint32_t>(t))->dequantizable) {
                addTensor(w, "t." + avss::io::ggmlTypeName(static_cast<std::uint32_t>(t)), t, 1);
            }
        }
        w.write(dir / "tensor-types.gguf");
    }
}

void writeCacheSeeds(const fs::path& dir) {
    fs::create_directories(dir);
    std::vector<avss::test::LayerSpec> layers(2);
    layers[1].variance = 2.0;
    auto st = avss::test::handStats(layers, 2);
    avss::StatsCache(dir / "two-shards.h5").store(st);
    st.provenance.options.settings.attnOut = true;  // the optional attn_out site as well
    st.provenance.options.settings.relThresholds = {};
    for (auto& sh : st.shards) {
        for (auto& l : sh.layers) {
            l.attnOut = l.blockOut;
            l.blockOut.nearZeroRel.clear(), l.mlpAct.nearZeroRel.clear(), l.attnOut.nearZeroRel.clear();
        }
    }
    avss::StatsCache(dir / "attn-out.h5").store(st);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s tests/data/fuzz\n", argv[0]);
        return 2;
    }
    const fs::path out = argv[1];
    writeGgufSeeds(out / "gguf");
    writeCacheSeeds(out / "cache");
    return 0;
}
