// Hugging Face folders without torch: the safetensors reader's checks, the folder and shard checks,
// config.json → HyperParams (with its refusals), and tokenizer.json against the `tokenizers`
// library's ids recorded by tools/make_tiny_family.py.
#include <catch2/catch.hpp>

#include <cstring>

#include "avss/error.h"
#include "io/gguf_file.h"
#include "io/hf_checkpoint.h"
#include "io/safetensors_file.h"
#include "model/hf_hparams.h"
#include "model/hf_model.h"
#include "support/reference_json.h"
#include "support/safetensors_writer.h"
#include "support/temp_dir.h"
#include "tokenizer/gguf_tokenizer.h"
#include "tokenizer/hf_tokenizer.h"

using namespace avss;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

std::filesystem::path data(const std::string& name) { return std::filesystem::path(AVSS_TEST_DATA_DIR) / name; }

std::vector<test::StTensor> twoTensors() {
    return {{"a", "F32", {2, 3}, test::f32Bytes({1, 2, 3, 4, 5, 6})}, {"b", "F32", {2}, test::f32Bytes({7, 8})}};
}

json tinyConfig() { return test::readJson(data("tiny_qwen2_hf") / "config.json"); }

model::HfModelConfig configWith(const std::function<void(json&)>& edit, const std::string& base = "tiny_qwen2_hf") {
    auto j = test::readJson(data(base) / "config.json");
    edit(j);
    return model::readHfConfig(j, "/m/config.json");
}

}  // namespace

TEST_CASE("safetensors: a valid file reads back; every malformed header is named", "[safetensors]") {
    test::TempDir dir;
    const auto good = dir / "good.safetensors";
    test::writeSafetensors(good, twoTensors());
    const auto f = io::SafetensorsFile::open(good);
    REQUIRE(f.tensors().size() == 2);
    const auto* a = f.find("a");
    REQUIRE(a != nullptr);
    CHECK(a->shape == std::vector<std::int64_t>{2, 3});
    CHECK(a->elements == 6);
    float v[6];
    std::memcpy(v, f.data(*a), sizeof v);
    CHECK(v[5] == 6.0f);
    CHECK(f.find("c") == nullptr);

    auto broken = [&](const std::string& name, const std::function<void(json&)>& edit) {
        const auto p = dir / name;
        test::writeSafetensors(p, twoTensors(), edit);
        return p;
    };
    SECTION("too short") {
        test::writeBytes(dir / "short.safetensors", {1, 2, 3});
        CHECK_THROWS_WITH(io::SafetensorsFile::open(dir / "short.safetensors"), Contains("short.safetensors") && Contains("too short"));
    }
    SECTION("header length beyond the file, and beyond 100 MiB") {
        auto bytes = test::readBytes(good);
        bytes[0] = 0xff, bytes[1] = 0xff, bytes[2] = 0x01;
        test::writeBytes(dir / "long.safetensors", bytes);
        CHECK_THROWS_WITH(io::SafetensorsFile::open(dir / "long.safetensors"), Contains("long.safetensors") && Contains("exceeds the file"));
        bytes[7] = 0x7f;
        test::writeBytes(dir / "huge.safetensors", bytes);
        CHECK_THROWS_WITH(io::SafetensorsFile::open(dir / "huge.safetensors"), Contains("100 MiB"));
    }
    SECTION("header not JSON") {
        auto bytes = test::readBytes(good);
        bytes[8] = '#';
        test::writeBytes(dir / "json.safetensors", bytes);
        CHECK_THROWS_AS(io::SafetensorsFile::open(dir / "json.safetensors"), FormatError);
        CHECK_THROWS_WITH(io::SafetensorsFile::open(dir / "json.safetensors"), Contains("not valid JSON"));
    }
    SECTION("unknown dtype") {
        const auto p = broken("dtype.safetensors", [](json& h) { h["a"]["dtype"] = "Q4"; });
        CHECK_THROWS_WITH(io::SafetensorsFile::open(p), Contains("dtype.safetensors") && Contains("tensor 'a'") && Contains("unknown dtype 'Q4'"));
    }
    SECTION("shape and byte range disagree") {
        const auto p = broken("shape.safetensors", [](json& h) { h["a"]["shape"] = {3, 3}; });
        CHECK_THROWS_WITH(io::SafetensorsFile::open(p), Contains("tensor 'a' is 24 bytes") && Contains("needs 36"));
    }
    SECTION("range past the data (a truncated file)") {
        auto bytes = test::readBytes(good);
        bytes.resize(bytes.size() - 4);
        test::writeBytes(dir / "cut.safetensors", bytes);
        CHECK_THROWS_WITH(io::SafetensorsFile::open(dir / "cut.safetensors"), Contains("tensor 'b'") && Contains("outside the data section"));
    }
    SECTION("overlapping tensors") {
        const auto p = broken("overlap.safetensors", [](json& h) { h["b"]["data_offsets"] = {16, 24}; });
        CHECK_THROWS_WITH(io::SafetensorsFile::open(p), Contains("overlap"));
    }
    SECTION("missing fields and negative dimensions") {
        CHECK_THROWS_WITH(io::SafetensorsFile::open(broken("nofield.safetensors", [](json& h) { h["a"].erase("shape"); })),
                          Contains("needs a dtype string, a shape array and two data_offsets"));
        CHECK_THROWS_WITH(io::SafetensorsFile::open(broken("neg.safetensors", [](json& h) { h["b"]["shape"] = {-2}; })),
                          Contains("invalid dimension -2"));
    }
}

TEST_CASE("Hugging Face folders: config, single file or shards, and what is missing is named", "[safetensors][folder]") {
    const auto sharded = io::HfCheckpoint::open(data("tiny_mistral_hf"));
    CHECK(sharded.shards().size() == 4);
    CHECK(sharded.find("model.embed_tokens.weight").tensor != nullptr);
    CHECK(sharded.find("lm_head.weight").tensor == nullptr);  // tied: transformers does not save it
    CHECK(io::HfCheckpoint::looksLike(data("tiny_qwen2_hf")));
    CHECK_FALSE(io::HfCheckpoint::looksLike(data("tiny_qwen2.gguf")));

    test::TempDir dir;
    const auto copy = dir / "m";
    test::copyFolder(data("tiny_mistral_hf"), copy);
    SECTION("no config.json") {
        std::filesystem::remove(copy / "config.json");
        CHECK_THROWS_WITH(io::HfCheckpoint::open(copy), Contains("has no config.json"));
    }
    SECTION("config.json not JSON") {
        test::writeText(copy / "config.json", "{\"model_type\": ");
        CHECK_THROWS_AS(io::HfCheckpoint::open(copy), FormatError);
        CHECK_THROWS_WITH(io::HfCheckpoint::open(copy), Contains("config.json") && Contains("not valid JSON"));
    }
    SECTION("a missing shard") {
        std::filesystem::remove(copy / "model-00003-of-00004.safetensors");
        CHECK_THROWS_AS(io::HfCheckpoint::open(copy), IoError);
        CHECK_THROWS_WITH(io::HfCheckpoint::open(copy), Contains("model-00003-of-00004.safetensors") && Contains("is missing"));
    }
    SECTION("the index places a tensor in a shard that lacks it") {
        auto index = test::readJson(copy / "model.safetensors.index.json");
        index["weight_map"]["model.norm.weight"] = "model-00001-of-00004.safetensors";
        test::writeJson(copy / "model.safetensors.index.json", index);
        CHECK_THROWS_WITH(io::HfCheckpoint::open(copy), Contains("lacks tensor 'model.norm.weight'"));
    }
    SECTION("an index naming a file outside the folder") {
        auto index = test::readJson(copy / "model.safetensors.index.json");
        index["weight_map"]["model.norm.weight"] = "../x.safetensors";
        test::writeJson(copy / "model.safetensors.index.json", index);
        CHECK_THROWS_WITH(io::HfCheckpoint::open(copy), Contains("not a file in this folder"));
    }
    SECTION("no weights at all") {
        for (const auto& e : std::filesystem::directory_iterator(copy)) {
            if (e.path().filename().string().rfind("model", 0) == 0) std::filesystem::remove(e.path());
        }
        CHECK_THROWS_WITH(io::HfCheckpoint::open(copy), Contains("neither model.safetensors nor model.safetensors.index.json"));
    }
}

TEST_CASE("config.json: each family's fields, and what the engine does not implement is refused", "[safetensors][config]") {
    SECTION("the tiny families") {
        const auto q = model::readHfConfig(tinyConfig(), "config.json");
        CHECK(std::string(q.arch->name) == "qwen2");
        CHECK(q.hp.layers == 2);
        CHECK(q.hp.hidden == 64);
        CHECK(q.hp.ropeBase == 1e6);
        CHECK(q.hp.normEps == Approx(1e-6));
        CHECK(q.tiedEmbeddings == std::optional<bool>(true));
        const auto g = model::readHfConfig(test::readJson(data("tiny_gemma_hf") / "config.json"), "config.json");
        CHECK(g.hp.headDim == 32);
        CHECK(g.arch->hfNormPlusOne);
        const auto m = model::readHfConfig(test::readJson(data("tiny_mistral_hf") / "config.json"), "config.json");
        CHECK(std::string(m.arch->name) == "llama");
        CHECK(m.hp.slidingWindow == 8);
        CHECK(m.hp.layer(1).attentionName() == "sliding window of 8 tokens");  // what the explorer's layer detail shows
        CHECK(q.hp.layer(0).attentionName() == "full causal");
        CHECK(q.hp.layer(1).ropeBase == 1e6);
        CHECK_THROWS_AS(m.hp.layer(2), UsageError);
        // Gemma 3 without layer_types (transformers 4): every sliding_window_pattern-th block is global;
        // rope_scaling then applies to the global blocks, rope_local_base_freq to the sliding ones.
        auto g3 = test::readJson(data("tiny_gemma3_hf") / "config.json");
        g3.erase("layer_types");
        g3.erase("rope_parameters");
        g3["sliding_window_pattern"] = 3;
        g3["rope_theta"] = 500000.0;
        g3["rope_local_base_freq"] = 20000.0;
        g3["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 4.0}};
        const auto c3 = model::readHfConfig(g3, "config.json");
        CHECK(c3.hp.slidingLayers == std::vector<bool>{true, true, false, true, true, false});
        CHECK(c3.hp.ropeBase == 500000.0);
        CHECK(c3.hp.ropeLinearFactor == 4.0);
        CHECK(c3.hp.layer(0).ropeBase == 20000.0);
        CHECK_FALSE(c3.hp.layer(0).ropeScaled);
        CHECK(c3.hp.queryScalar == 16.0);
        // Gemma 2 without the softcapping keys takes transformers' defaults; null means none.
        auto g2 = test::readJson(data("tiny_gemma2_hf") / "config.json");
        g2.erase("attn_logit_softcapping");
        g2["final_logit_softcapping"] = nullptr;
        const auto c2 = model::readHfConfig(g2, "config.json");
        CHECK(c2.hp.attnSoftcap == 50.0);
        CHECK(c2.hp.finalSoftcap == 0.0);
    }
    SECTION("missing and contradictory fields") {
        CHECK_THROWS_WITH(configWith([](json& j) { j.erase("num_hidden_layers"); }), Contains("/m/config.json") && Contains("'num_hidden_layers' is missing"));
        CHECK_THROWS_WITH(configWith([](json& j) { j["num_key_value_heads"] = 3; }), Contains("does not divide num_attention_heads"));
        CHECK_THROWS_WITH(configWith([](json& j) { j["hidden_size"] = "64"; }), Contains("not an integer"));
        CHECK_THROWS_WITH(configWith([](json& j) { j["num_hidden_layers"] = 100000; }), Contains("outside the supported range"));
        CHECK_THROWS_WITH(configWith([](json& j) { j.erase("rms_norm_eps"); }), Contains("'rms_norm_eps' is missing"));
    }
    SECTION("features refused by name") {
        auto refused = [](const std::function<void(json&)>& edit, const std::string& what, const std::string& base = "tiny_qwen2_hf") {
            INFO(what);
            CHECK_THROWS_AS(configWith(edit, base), UnsupportedError);
            CHECK_THROWS_WITH(configWith(edit, base), Contains(what));
        };
        refused([](json& j) { j["model_type"] = "falcon"; }, "model_type 'falcon' is not supported");
        refused([](json& j) { j["rope_parameters"] = {{"rope_type", "longrope"}, {"factor", 4.0}, {"rope_theta", 1e6}}; }, "RoPE scaling type 'longrope'");
        refused([](json& j) { j.erase("rope_parameters"); j["rope_scaling"] = {{"type", "dynamic"}, {"factor", 2.0}}; }, "'dynamic'");
        refused([](json& j) { j["use_sliding_window"] = true; }, "use_sliding_window");
        refused([](json& j) { j["hidden_act"] = "gelu"; }, "activation 'gelu'");
        refused([](json& j) { j["final_logit_softcapping"] = 30.0; }, "softcapping");
        refused([](json& j) { j["partial_rotary_factor"] = 0.5; }, "partial rotary");
        refused([](json& j) { j["layer_types"] = {"sliding_attention", "full_attention"}; }, "mixed per-layer attention kinds", "tiny_mistral_hf");
        refused([](json& j) { j["attention_bias"] = true; }, "attention_bias", "tiny_mistral_hf");
        refused([](json& j) { j["use_bidirectional_attention"] = true; }, "bidirectional", "tiny_gemma_hf");
        refused([](json& j) { j["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 4}}; }, "quant_method 'gptq'");
    }
}

TEST_CASE("config.json: Llama 3 RoPE scaling gives the factors llama.cpp's converter writes", "[safetensors][config][rope]") {
    // tiny_llama_rope_llama3.gguf: head size 16, base 10000, factor 8, low 1, high 4, original context 32.
    const auto gguf = io::GgufFile::open(data("tiny_llama_rope_llama3.gguf"));
    const auto* t = gguf.findTensor("rope_freqs.weight");
    REQUIRE(t != nullptr);
    REQUIRE(t->elements == 8);
    std::vector<float> expected(8);
    std::memcpy(expected.data(), gguf.tensorData(*t), 32);
    const auto c = configWith([](json& j) {
        j["model_type"] = "llama";
        j.erase("rope_parameters");
        j["head_dim"] = 16;
        j["rope_theta"] = 10000.0;
        j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                             {"original_max_position_embeddings", 32}};
    });
    CHECK(c.hp.ropeFreqFactors);
    REQUIRE(c.ropeFreqFactors.size() == 8);
    for (std::size_t i = 0; i < 8; ++i) CHECK(c.ropeFreqFactors[i] == Approx(expected[i]).epsilon(1e-6));
    CHECK(c.ropeFreqFactors.front() == 1.0f);  // high frequencies kept
    CHECK(c.ropeFreqFactors.back() == 8.0f);   // low frequencies divided by the factor
}

TEST_CASE("tokenizer.json: the tokenizers library's ids, and the GGUF's tokenizer", "[safetensors][tokenizer]") {
    for (const char* arch : {"qwen2", "gemma", "mistral", "phi3", "gemma2", "gemma3", "gpt2"}) {
        SECTION(arch) {
            const auto folder = data(std::string("tiny_") + arch + "_hf");
            const auto c = io::HfCheckpoint::open(folder);
            const auto tok = model::hfTokenizer(c, 300);
            const auto gguf = loadTokenizer(data(std::string("tiny_") + arch + ".gguf"));
            CHECK(tok.spec().pre == (std::string(arch) == "qwen2" ? "qwen2" : "gpt2"));
            CHECK(tok.spec().tokens == gguf.spec().tokens);
            CHECK(tok.spec().tokenTypes == gguf.spec().tokenTypes);
            CHECK(tok.bosId() == gguf.bosId());
            CHECK(tok.eosId() == gguf.eosId());
            CHECK_FALSE(tok.spec().chatTemplate.empty());
            const auto ref = test::loadReference(std::string("tiny_") + arch + "_reference.json");
            REQUIRE(ref.at("hf_tokenizer_cases").size() >= 10);
            for (const auto& k : ref.at("hf_tokenizer_cases")) {
                const auto text = k.at("text").get<std::string>();
                INFO(arch << ": '" << text << "'");
                CHECK(tok.encode(text) == k.at("ids").get<std::vector<TokenId>>());
                CHECK(tok.decode(tok.encode(text)) == text);
            }
        }
    }
}

TEST_CASE("tokenizer.json: padding to the model's vocabulary, and malformed or unsupported files named", "[safetensors][tokenizer][corrupt]") {
    test::TempDir dir;
    const auto copy = dir / "m";
    test::copyFolder(data("tiny_qwen2_hf"), copy);
    const auto tj = test::readJson(copy / "tokenizer.json");
    auto load = [&](int vocab = 300) { return model::hfTokenizer(io::HfCheckpoint::open(copy), vocab); };
    auto with = [&](const std::function<void(json&)>& edit) {
        auto j = tj;
        edit(j);
        test::writeJson(copy / "tokenizer.json", j);
    };
    SECTION("padded when the embedding has more rows") {
        const auto t = load(304);
        CHECK(t.vocabSize() == 304);
        CHECK(t.tokenText(303) == "[PAD303]");
        CHECK(t.encode("Hello world") == load().encode("Hello world"));
        CHECK_THROWS_WITH(load(299), Contains("tokenizer.json") && Contains("more than config.json's vocab_size 299"));
    }
    SECTION("missing or not JSON") {
        std::filesystem::remove(copy / "tokenizer.json");
        CHECK_THROWS_WITH(load(), Contains("tokenizer.json") && Contains("is missing"));
        test::writeText(copy / "tokenizer.json", "{\"model\": [");
        CHECK_THROWS_AS(load(), FormatError);
        CHECK_THROWS_WITH(load(), Contains("tokenizer.json") && Contains("not valid JSON"));
    }
    SECTION("inconsistent content") {
        with([](json& j) { j["model"]["vocab"].erase("!"); });
        CHECK_THROWS_WITH(load(), Contains("tokenizer.json") && Contains("gaps"));
        with([](json& j) { j["model"]["merges"][0] = 7; });
        CHECK_THROWS_WITH(load(), Contains("merge 7"));
        with([](json& j) { j["model"]["merges"].push_back("zz qq"); });
        CHECK_THROWS_AS(load(), FormatError);
    }
    SECTION("features refused") {
        with([](json& j) { j["model"]["type"] = "Unigram"; });
        CHECK_THROWS_WITH(load(), Contains("model type 'Unigram' is not supported"));
        with([](json& j) { j["model"]["byte_fallback"] = true; });  // byte-level pre-tokenizer with SentencePiece-style BPE
        CHECK_THROWS_WITH(load(), Contains("byte_fallback"));
        with([](json& j) { j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\s+"; });
        CHECK_THROWS_AS(load(), UnsupportedError);
        CHECK_THROWS_WITH(load(), Contains("pre-tokenizer"));
        with([](json& j) { j["normalizer"] = {{"type", "Lowercase"}}; });
        CHECK_THROWS_WITH(load(), Contains("normalizer 'Lowercase'"));
    }
}

TEST_CASE("tokenizer.json, SentencePiece style (byte fallback): the Hugging Face tokenizer's ids for both prepend schemes",
          "[safetensors][tokenizer][spm]") {
    // tools/make_tiny_spm_json.py: tiny_spm.gguf's SentencePiece model as transformers converts it.
    const auto expected = test::loadReference("tiny_spm_hf_expected.json");
    const auto dir = data("tiny_spm_hf");
    const auto gguf = loadTokenizer(data("tiny_spm.gguf"));
    for (const char* file : {"tokenizer.json", "tokenizer-first.json", "tokenizer-gemma.json"}) {
        SECTION(file) {
            const bool first = std::string(file) == "tokenizer-first.json";
            const bool gemma = std::string(file) == "tokenizer-gemma.json";  // Replace only (no dummy prefix), a Split that never fires
            const Tokenizer tok(tokenizerSpecFromHf(test::readJson(dir / file), test::readJson(dir / "tokenizer_config.json"), json::object(), dir / file));
            CHECK(tok.spec().model == "llama");
            CHECK(tok.spec().prefixFirstOnly == first);
            CHECK(tok.spec().addSpacePrefix == !gemma);
            // The Gemma converter appends <pad> and <mask>; the other ids are the GGUF's.
            const auto n = gguf.spec().tokens.size();
            REQUIRE(tok.spec().tokens.size() == n + (gemma ? 2 : 0));
            CHECK(std::vector<std::string>(tok.spec().tokens.begin(), tok.spec().tokens.begin() + static_cast<std::ptrdiff_t>(n)) == gguf.spec().tokens);
            CHECK(std::vector<std::int32_t>(tok.spec().tokenTypes.begin(), tok.spec().tokenTypes.begin() + static_cast<std::ptrdiff_t>(n)) ==
                  gguf.spec().tokenTypes);  // byte pieces, unknown, control as the GGUF has them
            CHECK(tok.bosId() == 1);
            int cases = 0;
            for (const auto& k : expected.at("cases")) {
                const auto text = k.at("text").get<std::string>();
                INFO(file << ": '" << text << "'");
                const auto ids = k.at(first ? "ids_first" : gemma ? "ids_gemma" : "ids").get<std::vector<TokenId>>();
                CHECK(tok.encode(text) == ids);
                if (!first) CHECK(tok.decode(ids, /*skipSpecial=*/true) == k.at(gemma ? "decoded_gemma" : "decoded").get<std::string>());
                ++cases;
            }
            CHECK(cases == 349);
            // WikiText writes unknown words as "<unk>": Hugging Face's tokenizers (0.23.3, on these files) and
            // llama.cpp match it as the unknown token, as any special token.
            const auto unk = first ? std::vector<TokenId>{262, 0, 380} : gemma ? std::vector<TokenId>{356, 0, 380} : std::vector<TokenId>{262, 0, 313};
            CHECK(tok.encode("a<unk>b", false) == unk);
            CHECK(tok.encode(" <unk> = ", false) == std::vector<TokenId>{353, 0, 353, 64, 353});
            if (!first && !gemma) CHECK(gguf.encode("a<unk>b", false) == unk);
            if (!first && !gemma) CHECK(tok.decode(unk, /*skipSpecial=*/true) == "a b");  // skip_special_tokens drops <unk> too
        }
    }
    SECTION("another space rule is refused") {
        auto j = test::readJson(dir / "tokenizer.json");
        j["pre_tokenizer"]["split"] = true;
        CHECK_THROWS_WITH(tokenizerSpecFromHf(j, json::object(), json::object(), dir / "tokenizer.json"), Contains("Metaspace"));
        j["pre_tokenizer"] = {{"type", "Whitespace"}};
        CHECK_THROWS_AS(tokenizerSpecFromHf(j, json::object(), json::object(), dir / "tokenizer.json"), UnsupportedError);
    }
}
