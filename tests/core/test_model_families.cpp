// Model features beyond the sample model, each against transformers: RoPE scaling (Llama 3.1's
// rope_freqs.weight, linear; tools/make_rope_scaling_fixture.py) with the refusal of kinds not
// implemented, and the architectures of tools/make_tiny_family.py: qwen2 (q/k/v biases, unpermuted
// Q/K), gemma (GELU-tanh, scaled embeddings, key_length) and a sliding window (Mistral).
#include "support/torch_catch.h"

#include <iostream>

#include "avss/error.h"
#include "avss/model.h"
#include "avss/prune_export.h"
#include "io/gguf_file.h"
#include "io/gguf_writer.h"
#include "model/model_impl.h"
#include "model/kv_cache.h"
#include "model/transformer.h"
#include "support/reference_json.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

const nlohmann::json& reference() {
    static const auto ref = test::loadReference("tiny_llama_rope_reference.json");
    return ref;
}

std::string dataFile(const std::string& name) { return std::string(AVSS_TEST_DATA_DIR) + "/" + name; }

at::Tensor logitsOf(const Model& m, const nlohmann::json& ids) {
    torch::NoGradGuard g;
    const auto tokens = torch::tensor(ids.get<std::vector<std::int64_t>>(), torch::kInt64).unsqueeze(0);
    return model::forward(modelImpl(m), tokens, torch::ones_like(tokens, torch::kBool))[0];
}

at::Tensor tensorOf(const nlohmann::json& nested) {
    std::vector<float> flat;
    for (const auto& row : nested) {
        for (const auto& v : row) flat.push_back(v.get<float>());
    }
    return torch::tensor(flat).view({static_cast<std::int64_t>(nested.size()), -1});
}

double relErr(const at::Tensor& ours, const at::Tensor& ref) {
    return (ours - ref).abs().max().item<double>() / ref.abs().max().item<double>();
}

// Every position of every reference sequence: max |Δ| / max |logit| below 1e-5 (fp32 in another
// summation order reaches ~3e-6) and the same argmax. Returns the worst relative error.
double checkLogits(const Model& m, const nlohmann::json& sequences) {
    double worst = 0;
    for (const auto& s : sequences) {
        const auto expected = tensorOf(s.at("logits"));
        const auto ours = logitsOf(m, s.at("ids"));
        REQUIRE(ours.sizes() == expected.sizes());
        worst = std::max(worst, relErr(ours, expected));
        CHECK(relErr(ours, expected) < 1e-5);
        CHECK(torch::equal(ours.argmax(-1), expected.argmax(-1)));
    }
    return worst;
}

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

TEST_CASE("RoPE scaling the engine does not implement is refused, bad factors named", "[model][corrupt][rope]") {
    test::TempDir dir;
    const auto good = test::writeTinyModel(dir.path());
    using W = io::GgufWriter;
    using F = io::GgufFile;
    SECTION("yarn") {
        const auto p = test::rewriteGguf(good, dir / "yarn.gguf", [](W& w, const F&) {
            w.setString("llama.rope.scaling.type", "yarn");
            w.setF32("llama.rope.scaling.factor", 4.0f);
        });
        CHECK_THROWS_AS(Model::load(p), UnsupportedError);
        CHECK_THROWS_WITH(Model::load(p), Contains("yarn.gguf") && Contains("'yarn'") && Contains("llama.rope.scaling.type"));
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
