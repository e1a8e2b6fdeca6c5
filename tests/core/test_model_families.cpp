// Model features beyond the sample model, each against transformers: RoPE scaling (Llama 3.1's
// rope_freqs.weight, linear; tools/make_rope_scaling_fixture.py) with the refusal of kinds not
// implemented, and the architectures of tools/make_tiny_family.py: qwen2 (q/k/v biases, unpermuted
// Q/K), gemma (GELU-tanh, scaled embeddings, key_length) and a sliding window (Mistral).
#include "support/torch_catch.h"

#include <cstring>
#include <iostream>

#include "avss/error.h"
#include "avss/model.h"
#include "avss/prune_export.h"
#include "io/gguf_file.h"
#include "io/safetensors_file.h"
#include "io/gguf_writer.h"
#include "model/model_impl.h"
#include "model/kv_cache.h"
#include "model/transformer.h"
#include "support/family_logits.h"
#include "support/reference_json.h"
#include "support/safetensors_writer.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

const nlohmann::json& reference() {
    static const auto ref = test::loadReference("tiny_llama_rope_reference.json");
    return ref;
}

using test::checkLogits;
using test::dataFile;
using test::logitsOf;
using test::relErr;
using test::tensorOf;

}  // namespace

TEST_CASE("qwen2: logits match transformers; its biases and unpermuted Q/K are honoured", "[parity][qwen2]") {
    const auto m = Model::load(dataFile("tiny_qwen2.gguf"), LoadOptions{Device::Cpu});
    CHECK(m->info().arch == "qwen2");
    CHECK(m->info().hparams.ropeBase == 1e6);
    CHECK(m->info().unusedTensors.empty());  // the biases are consumed
    CHECK(m->tokenizer().spec().pre == "qwen2");
    const auto ref = test::loadReference("tiny_qwen2_reference.json");
    const auto& seqs = ref.at("sequences");
    REQUIRE(seqs.size() == 4);
    const double worst = checkLogits(*m, seqs);
    std::cout << "tiny_qwen2.gguf: max |Δlogit| / max |logit| " << worst << "\n";

    test::TempDir dir;
    SECTION("a pruned export keeps the architecture and its biases") {
        const auto r = exportPrunedModel(*m, {0}, dir / "pruned.gguf");
        CHECK(r.selfChecked);
        CHECK(r.maxLogitDiff <= 1e-6 * r.maxLogit);
        const auto f = io::GgufFile::open(dir / "pruned.gguf");
        CHECK(f.getInt("qwen2.block_count") == 1);
        CHECK(f.findTensor("blk.0.attn_q.bias") != nullptr);
    }
    SECTION("a missing bias is named") {
        const auto p = test::rewriteGguf(dataFile("tiny_qwen2.gguf"), dir / "nobias.gguf", [](io::GgufWriter&, const io::GgufFile&) {},
                                         "blk.1.attn_k.bias");
        CHECK_THROWS_WITH(Model::load(p), Contains("nobias.gguf") && Contains("blk.1.attn_k.bias") && Contains("missing"));
    }
}

TEST_CASE("gemma: logits match transformers (GELU-tanh gating, sqrt(hidden) embeddings, head size from key_length)",
          "[parity][gemma]") {
    const auto m = Model::load(dataFile("tiny_gemma.gguf"), LoadOptions{Device::Cpu});
    CHECK(m->info().arch == "gemma");
    CHECK(m->info().hparams.headDim == 32);  // != hidden / heads = 16
    CHECK(m->info().unusedTensors.empty());
    const auto ref = test::loadReference("tiny_gemma_reference.json");
    CHECK(ref.at("max_abs_logit_change_with_silu").get<double>() > 0.05);  // SiLU instead would fail the test
    const double worst = checkLogits(*m, ref.at("sequences"));
    std::cout << "tiny_gemma.gguf: max |Δlogit| / max |logit| " << worst << "\n";
    test::TempDir dir;
    const auto r = exportPrunedModel(*m, {1}, dir / "pruned.gguf");  // the export keeps the architecture
    CHECK(r.selfChecked);
    CHECK(io::GgufFile::open(dir / "pruned.gguf").getString("general.architecture") == "gemma");
}

TEST_CASE("phi3: logits match transformers; the fused qkv and gate/up tensors are split as llama.cpp writes them",
          "[parity][phi3]") {
    const auto m = Model::load(dataFile("tiny_phi3.gguf"), LoadOptions{Device::Cpu});
    CHECK(m->info().arch == "phi3");
    CHECK(m->info().unusedTensors.empty());
    const auto ref = test::loadReference("tiny_phi3_reference.json");
    CHECK(ref.at("max_abs_logit_change_with_gate_up_swapped").get<double>() > 0.05);
    for (const auto& s : ref.at("sequences")) CHECK(s.at("max_abs_diff_transformers_gguf_load").get<double>() == 0.0);  // the layout
    const double worst = checkLogits(*m, ref.at("sequences"));
    std::cout << "tiny_phi3.gguf: max |Δlogit| / max |logit| " << worst << "\n";
    test::TempDir dir;
    const auto r = exportPrunedModel(*m, {0}, dir / "pruned.gguf");
    CHECK(r.selfChecked);
    CHECK(io::GgufFile::open(dir / "pruned.gguf").findTensor("blk.0.attn_qkv.weight") != nullptr);
    SECTION("LongRoPE factors (Phi-3 128k) are refused, not ignored") {
        const auto p = test::rewriteGguf(dataFile("tiny_phi3.gguf"), dir / "longrope.gguf", [](io::GgufWriter& w, const io::GgufFile&) {
            w.addF32Tensor("rope_factors_short.weight", {8}, std::vector<float>(8, 1.5f));
        });
        CHECK_THROWS_AS(Model::load(p), UnsupportedError);
        CHECK_THROWS_WITH(Model::load(p), Contains("longrope.gguf") && Contains("rope_factors_short.weight"));
    }
}

TEST_CASE("sliding window: logits match transformers' Mistral; cached decoding past the window agrees", "[parity][window]") {
    const auto m = Model::load(dataFile("tiny_mistral.gguf"), LoadOptions{Device::Cpu});
    REQUIRE(m->info().hparams.slidingWindow == 8);
    const auto ref = test::loadReference("tiny_mistral_reference.json");
    CHECK(ref.at("max_abs_logit_change_without_window").get<double>() > 0.05);  // ignoring the window would fail
    const auto& seqs = ref.at("sequences");
    const double worst = checkLogits(*m, seqs);
    std::cout << "tiny_mistral.gguf (window 8): max |Δlogit| / max |logit| " << worst << "\n";

    // Prefill 12 tokens into a cache, then one token per step: the windowed mask must hold with
    // cached keys too (the fused decoding loops do not apply past the window).
    torch::NoGradGuard g;
    const auto ids = seqs.back().at("ids").get<std::vector<std::int64_t>>();
    const auto all = torch::tensor(ids, torch::kInt64).unsqueeze(0);
    const auto expected = tensorOf(seqs.back().at("logits"));
    model::KvCache cache;
    model::ForwardOptions o;
    o.cache = &cache;
    const auto head = all.narrow(1, 0, 12);
    const auto first = model::forward(modelImpl(*m), head, torch::ones_like(head, torch::kBool), o)[0];
    CHECK(relErr(first, expected.narrow(0, 0, 12)) < 1e-5);
    for (std::int64_t t = 12; t < all.size(1); ++t) {
        const auto step = all.narrow(1, t, 1);
        const auto got = model::forward(modelImpl(*m), step, torch::ones_like(step, torch::kBool), o)[0][0];
        CHECK(relErr(got, expected[t]) < 1e-5);
    }
}

TEST_CASE("RoPE scaling: logits match transformers, and ignoring the scaling would not", "[parity][rope]") {
    const auto plain = Model::load(dataFile("tiny_llama.gguf"), LoadOptions{Device::Cpu});
    for (const auto& [file, expectName] : {std::pair{"tiny_llama_rope_llama3.gguf", "per-frequency factors (rope_freqs.weight)"},
                                           std::pair{"tiny_llama_rope_linear.gguf", "linear x4"}}) {
        SECTION(file) {
            const auto m = Model::load(dataFile(file), LoadOptions{Device::Cpu});
            CHECK(m->info().hparams.ropeScalingName() == expectName);
            CHECK(m->info().unusedTensors.empty());  // rope_freqs.weight is consumed, not reported unused
            const auto& seqs = reference().at("files").at(file).at("sequences");
            REQUIRE(seqs.size() == 4);
            const double worst = checkLogits(*m, seqs);
            // The longest sequence: the unscaled model is far from this reference.
            const auto& last = seqs.back();
            const double unscaled = relErr(logitsOf(*plain, last.at("ids")), tensorOf(last.at("logits")));
            CHECK(unscaled > 1e-2);
            std::cout << file << ": max |Δlogit| / max |logit| " << worst << " (the unscaled model: " << unscaled << ")\n";
        }
    }
}

TEST_CASE("YaRN RoPE scaling from config.json: logits match transformers", "[parity][rope][hf]") {
    // tools/make_tiny_yarn_reference.py: tiny_qwen2_hf with rope_parameters yarn (factor 4, original 16, beta_fast 8).
    const auto ref = test::loadReference("tiny_qwen2_yarn_reference.json");
    test::TempDir dir;
    const auto folder = test::copyFolderWithConfig(dataFile("tiny_qwen2_hf"), dir / "m", [&](nlohmann::json& c) { c["rope_parameters"] = ref.at("rope_parameters"); });
    const auto m = Model::load(folder, LoadOptions{Device::Cpu});
    const auto& hp = m->info().hparams;
    CHECK(hp.ropeAttentionFactor == Approx(ref.at("attention_factor").get<double>()));
    CHECK(hp.ropeScalingName() == "YaRN x4 over 16 positions, attention x1.13863");
    for (const auto& s : ref.at("sequences")) CHECK(s.at("max_abs_logit_change_from_plain_rope").get<double>() > 0.05);
    const double worst = checkLogits(*m, ref.at("sequences"));
    std::cout << "tiny_qwen2_hf with YaRN: max |Δlogit| / max |logit| " << worst << "\n";
    ExportOptions asGguf;  // written with llama.cpp's YaRN keys, read back as the same model
    asGguf.format = ExportFormat::Gguf;
    exportPrunedModel(*m, {}, dir / "y.gguf", asGguf);
    const auto g = Model::load(dir / "y.gguf", LoadOptions{Device::Cpu});
    CHECK(g->info().hparams.ropeScalingName() == hp.ropeScalingName());
    CHECK(checkLogits(*g, ref.at("sequences")) < 1e-5);
}

TEST_CASE("YaRN RoPE scaling from GGUF keys (llama.cpp's): logits match transformers", "[parity][rope]") {
    // The same reference; tiny_qwen2.gguf given llama.cpp's keys by hand, independent of the exporter.
    const auto ref = test::loadReference("tiny_qwen2_yarn_reference.json");
    test::TempDir dir;
    using W = io::GgufWriter;
    using F = io::GgufFile;
    const auto p = test::rewriteGguf(dataFile("tiny_qwen2.gguf"), dir / "yarn.gguf", [](W& w, const F&) {
        w.setString("qwen2.rope.scaling.type", "yarn");
        w.setF32("qwen2.rope.scaling.factor", 4.0f);
        w.setU32("qwen2.rope.scaling.original_context_length", 16);
        w.setF32("qwen2.rope.scaling.yarn_beta_fast", 8.0f);  // beta_slow: llama.cpp's default 1, as transformers'
    });
    const auto m = Model::load(p, LoadOptions{Device::Cpu});
    CHECK(m->info().hparams.ropeAttentionFactor == Approx(ref.at("attention_factor").get<double>()));
    const double worst = checkLogits(*m, ref.at("sequences"));
    std::cout << "tiny_qwen2.gguf with YaRN keys: max |Δlogit| / max |logit| " << worst << "\n";
    ExportOptions asFolder;  // config.json's rope_scaling "yarn", read back as the same model
    asFolder.format = ExportFormat::HfFolder;
    exportPrunedModel(*m, {}, dir / "folder", asFolder);
    const auto f = Model::load(dir / "folder", LoadOptions{Device::Cpu});
    CHECK(f->info().hparams.ropeScalingName() == m->info().hparams.ropeScalingName());
    CHECK(checkLogits(*f, ref.at("sequences")) < 1e-5);
}

TEST_CASE("RoPE scaling the engine does not implement is refused, bad factors named", "[model][corrupt][rope]") {
    test::TempDir dir;
    const auto good = test::writeTinyModel(dir.path());
    using W = io::GgufWriter;
    using F = io::GgufFile;
    SECTION("an unknown type") {
        const auto p = test::rewriteGguf(good, dir / "longrope.gguf", [](W& w, const F&) {
            w.setString("llama.rope.scaling.type", "longrope");
            w.setF32("llama.rope.scaling.factor", 4.0f);
        });
        CHECK_THROWS_AS(Model::load(p), UnsupportedError);
        CHECK_THROWS_WITH(Model::load(p), Contains("longrope.gguf") && Contains("'longrope'") && Contains("llama.rope.scaling.type"));
    }
    SECTION("yarn without a factor, or with DeepSeek's log multiplier") {
        const auto p = test::rewriteGguf(good, dir / "yarn.gguf", [](W& w, const F&) { w.setString("llama.rope.scaling.type", "yarn"); });
        CHECK_THROWS_WITH(Model::load(p), Contains("yarn.gguf") && Contains("llama.rope.scaling.factor is missing"));
        const auto q = test::rewriteGguf(good, dir / "yarnlog.gguf", [](W& w, const F&) {
            w.setString("llama.rope.scaling.type", "yarn");
            w.setF32("llama.rope.scaling.factor", 4.0f);
            w.setF32("llama.rope.scaling.yarn_log_multiplier", 0.1f);
        });
        CHECK_THROWS_AS(Model::load(q), UnsupportedError);
        CHECK_THROWS_WITH(Model::load(q), Contains("yarnlog.gguf") && Contains("yarn_log_multiplier"));
    }
    SECTION("linear without a factor") {
        const auto p = test::rewriteGguf(good, dir / "nofactor.gguf", [](W& w, const F&) { w.setString("llama.rope.scaling.type", "linear"); });
        CHECK_THROWS_WITH(Model::load(p), Contains("nofactor.gguf") && Contains("llama.rope.scaling.factor is missing"));
    }
    SECTION("a zero factor") {
        const auto p = test::rewriteGguf(good, dir / "zero.gguf", [](W& w, const F&) {
            w.setString("llama.rope.scaling.type", "linear");
            w.setF32("llama.rope.scaling.factor", 0.0f);
        });
        CHECK_THROWS_WITH(Model::load(p), Contains("zero.gguf") && Contains("out of range"));
    }
    SECTION("rope_freqs.weight of the wrong length") {
        const auto p = test::rewriteGguf(good, dir / "short.gguf", [](W& w, const F&) { w.addF32Tensor("rope_freqs.weight", {3}, {1, 1, 1}); });
        CHECK_THROWS_WITH(Model::load(p), Contains("short.gguf") && Contains("rope_freqs.weight") && Contains("expected [4]"));
    }
    SECTION("rope_freqs.weight with a negative factor") {
        const auto p = test::rewriteGguf(good, dir / "neg.gguf", [](W& w, const F&) { w.addF32Tensor("rope_freqs.weight", {4}, {1, 2, -1, 8}); });
        CHECK_THROWS_WITH(Model::load(p), Contains("neg.gguf") && Contains("rope_freqs.weight") && Contains("positive finite"));
    }
    SECTION("linear scaling by 1 is no scaling") {
        const auto p = test::rewriteGguf(good, dir / "one.gguf", [](W& w, const F&) {
            w.setString("llama.rope.scaling.type", "linear");
            w.setF32("llama.rope.scaling.factor", 1.0f);
        });
        const auto a = Model::load(good, LoadOptions{Device::Cpu});
        const auto b = Model::load(p, LoadOptions{Device::Cpu});
        CHECK(b->info().hparams.ropeScalingName() == "none");
        const nlohmann::json ids = std::vector<int>{40, 41, 42, 43, 44, 45};
        CHECK(torch::equal(logitsOf(*a, ids), logitsOf(*b, ids)));
    }
}

TEST_CASE("Hugging Face folders: every family's logits match transformers and the GGUF's", "[parity][hf]") {
    for (const char* arch : {"qwen2", "gemma", "mistral", "phi3", "gemma2", "gemma3"}) {
        SECTION(arch) {
            const auto folder = dataFile(std::string("tiny_") + arch + "_hf");
            const auto m = Model::load(folder, LoadOptions{Device::Cpu});
            const auto g = Model::load(dataFile(std::string("tiny_") + arch + ".gguf"), LoadOptions{Device::Cpu});
            CHECK(m->info().format == "safetensors");
            CHECK(m->info().arch == g->info().arch);
            CHECK(m->info().unusedTensors.empty());
            CHECK(m->info().tiedEmbeddings);
            CHECK(m->info().parameterCount == g->info().parameterCount);
            CHECK(m->info().hparams.slidingWindow == g->info().hparams.slidingWindow);
            CHECK(m->info().hparams.slidingLayers == g->info().hparams.slidingLayers);
            CHECK(m->info().fingerprint.size() == 64);
            CHECK(m->info().fingerprint != g->info().fingerprint);
            const auto ref = test::loadReference(std::string("tiny_") + arch + "_reference.json");
            const double worst = checkLogits(*m, ref.at("sequences"));
            std::cout << "tiny_" << arch << "_hf: max |Δlogit| / max |logit| " << worst << "\n";
            for (const auto& s : ref.at("sequences")) CHECK(relErr(logitsOf(*m, s.at("ids")), logitsOf(*g, s.at("ids"))) < 1e-6);
        }
    }
}

TEST_CASE("Hugging Face folders: F16 and BF16 weights, untied heads, and bad tensors named", "[model][hf][corrupt]") {
    test::TempDir dir;
    const auto copy = dir / "m";
    test::copyFolder(dataFile("tiny_qwen2_hf"), copy);
    const auto tensors = test::readSafetensors(copy / "model.safetensors");
    const auto ids = test::loadReference("tiny_qwen2_reference.json").at("sequences")[3].at("ids");
    const auto fp32 = logitsOf(*Model::load(copy, LoadOptions{Device::Cpu}), ids);
    auto rewrite = [&](const std::function<void(std::vector<test::StTensor>&)>& edit) {
        auto t = tensors;
        edit(t);
        test::writeSafetensors(copy / "model.safetensors", t);
    };
    auto asHalf = [](test::StTensor& t, bool bf16) {
        const auto n = t.bytes.size() / 4;
        std::vector<unsigned char> out(n * 2);
        for (std::size_t i = 0; i < n; ++i) {
            float f;
            std::memcpy(&f, &t.bytes[i * 4], 4);
            const at::Tensor h = torch::tensor({f}).to(bf16 ? torch::kBFloat16 : torch::kFloat16);
            std::memcpy(&out[i * 2], h.data_ptr(), 2);
        }
        t.bytes = out;
        t.dtype = bf16 ? "BF16" : "F16";
    };
    for (const bool bf16 : {false, true}) {
        SECTION(bf16 ? "BF16" : "F16") {
            rewrite([&](auto& ts) { for (auto& t : ts) asHalf(t, bf16); });
            const auto m = Model::load(copy, LoadOptions{Device::Cpu});
            CHECK(m->info().tensorTypeCounts.at(bf16 ? "BF16" : "F16") == static_cast<int>(tensors.size()));
            const auto half = logitsOf(*m, ids);
            const double err = relErr(half, fp32);
            CHECK(err > 0);                          // the rounded weights are read, not some other copy
            CHECK(err < (bf16 ? 5e-2 : 5e-3));      // and converted exactly: only the rounding remains
        }
    }
    SECTION("an untied head is read; tie_word_embeddings false without one is refused") {
        auto config = test::readJson(copy / "config.json");
        config["tie_word_embeddings"] = false;
        test::writeJson(copy / "config.json", config);
        CHECK_THROWS_WITH(Model::load(copy), Contains("config.json") && Contains("no lm_head.weight"));
        rewrite([](auto& ts) {
            for (const auto& t : std::vector<test::StTensor>(ts)) {
                if (t.name == "model.embed_tokens.weight") ts.push_back({"lm_head.weight", t.dtype, t.shape, t.bytes});
            }
        });
        const auto m = Model::load(copy, LoadOptions{Device::Cpu});
        CHECK_FALSE(m->info().tiedEmbeddings);
        CHECK(torch::equal(logitsOf(*m, ids), fp32));
    }
    SECTION("a tensor of the wrong shape, a missing one, one of an unsupported dtype") {
        rewrite([](auto& ts) {
            for (auto& t : ts) {
                if (t.name == "model.layers.1.mlp.down_proj.weight") t.shape = {128, 64};
            }
        });
        CHECK_THROWS_AS(Model::load(copy), FormatError);
        CHECK_THROWS_WITH(Model::load(copy), Contains("model.safetensors") && Contains("model.layers.1.mlp.down_proj.weight") &&
                                                 Contains("expected [64, 128]"));
        rewrite([](auto& ts) { ts.erase(ts.begin()); });
        CHECK_THROWS_WITH(Model::load(copy), Contains("is missing"));
        rewrite([](auto& ts) {
            for (auto& t : ts) {
                if (t.name == "model.norm.weight") t = {t.name, "I32", t.shape, t.bytes};
            }
        });
        CHECK_THROWS_AS(Model::load(copy), UnsupportedError);
        CHECK_THROWS_WITH(Model::load(copy), Contains("model.norm.weight") && Contains("type I32"));
    }
    SECTION("a pruned export is a Hugging Face folder: trimmed config, renumbered layers, tokenizer, manifest") {
        const auto m = Model::load(copy, LoadOptions{Device::Cpu});
        const auto out = dir / "pruned";
        const auto r = exportPrunedModel(*m, {0}, out);
        CHECK(r.selfChecked);  // reloaded from the folder, equal to the skip-mask forward
        CHECK(r.kept == std::vector<int>{1});
        const auto config = test::readJson(out / "config.json");
        CHECK(config.at("num_hidden_layers") == 1);
        CHECK(config.at("avss_pruned").at("removed_layers") == nlohmann::json::array({0}));
        CHECK(test::readJson(out / "avss_pruned.json").at("original_num_hidden_layers") == 2);
        CHECK(std::filesystem::exists(out / "tokenizer.json"));
        CHECK(std::filesystem::exists(out / "tokenizer_config.json"));
        const auto written = io::SafetensorsFile::open(out / "model.safetensors");
        CHECK(written.find("model.layers.0.mlp.down_proj.weight") != nullptr);
        CHECK(written.find("model.layers.1.mlp.down_proj.weight") == nullptr);
        // layer 1's bytes became layer 0's
        const auto source = io::SafetensorsFile::open(copy / "model.safetensors");
        const auto* from = source.find("model.layers.1.self_attn.q_proj.bias");
        const auto* to = written.find("model.layers.0.self_attn.q_proj.bias");
        REQUIRE(from != nullptr);
        REQUIRE(to != nullptr);
        CHECK(std::memcmp(written.data(*to), source.data(*from), from->end - from->begin) == 0);
        CHECK(to->end - to->begin == from->end - from->begin);
        const auto pruned = Model::load(out, LoadOptions{Device::Cpu});
        CHECK(pruned->info().hparams.layers == 1);
        CHECK_THROWS_AS(exportPrunedModel(*m, {1}, out), UsageError);  // an existing folder is never overwritten
        CHECK_THROWS_WITH(exportPrunedModel(*m, {1}, out), Contains("already exists"));
        CHECK_THROWS_WITH(exportPrunedModel(*m, {1}, copy), Contains("is the model being pruned"));
        std::filesystem::remove(copy / "config.json");
        CHECK_THROWS_WITH(Model::load(copy), Contains("folder without config.json"));
    }
    SECTION("per-layer config lists are trimmed with the layers") {
        auto config = test::readJson(std::filesystem::path(dataFile("tiny_mistral_hf")) / "config.json");
        const auto mcopy = dir / "mistral";
        test::copyFolder(dataFile("tiny_mistral_hf"), mcopy);
        config["layer_types"] = {"sliding_attention", "sliding_attention"};
        test::writeJson(mcopy / "config.json", config);
        const auto m = Model::load(mcopy, LoadOptions{Device::Cpu});
        const auto r = exportPrunedModel(*m, {1}, dir / "mistral-pruned");
        CHECK(r.selfChecked);
        CHECK(test::readJson(dir / "mistral-pruned" / "config.json").at("layer_types") == nlohmann::json::array({"sliding_attention"}));
        CHECK(Model::load(dir / "mistral-pruned")->info().hparams.slidingWindow == 8);
    }
}
