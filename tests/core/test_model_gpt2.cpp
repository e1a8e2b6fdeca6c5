// GPT-2 against transformers (tools/make_tiny_family.py --arch gpt2): LayerNorms with biases (folded
// into the following products), learned absolute positions, the fused Conv1D qkv, a plain GELU-tanh
// MLP and biases on every product, from the GGUF and from the Hugging Face folder (with or without
// the "transformer." prefix of the original OpenAI checkpoints).
#include "support/torch_catch.h"

#include <iostream>

#include "avss/error.h"
#include "avss/model.h"
#include "avss/prune_export.h"
#include "io/gguf_file.h"
#include "support/family_logits.h"
#include "support/reference_json.h"
#include "support/safetensors_writer.h"
#include "support/temp_dir.h"

using namespace avss;
using Catch::Matchers::Contains;
using test::dataFile;

TEST_CASE("gpt2: logits match transformers from the GGUF and the folder", "[parity][gpt2]") {
    const auto ref = test::loadReference("tiny_gpt2_reference.json");
    CHECK(ref.at("max_abs_logit_change_without_positions").get<double>() > 0.05);         // positions ignored would fail
    CHECK(ref.at("max_abs_logit_change_without_layernorm_biases").get<double>() > 0.05);  // LayerNorm biases dropped would fail
    for (const char* file : {"tiny_gpt2.gguf", "tiny_gpt2_hf"}) {
        SECTION(file) {
            const auto m = Model::load(dataFile(file), LoadOptions{Device::Cpu});
            const auto& hp = m->info().hparams;
            CHECK(m->info().arch == "gpt2");
            CHECK(m->info().unusedTensors.empty());  // every bias and the position table consumed
            CHECK(hp.learnedPositions);
            CHECK(hp.contextLength == 256);
            CHECK(hp.positionName(1) == "learned absolute positions (256)");
            CHECK(hp.kvHeads == hp.heads);
            const double worst = test::checkLogits(*m, ref.at("sequences"));
            std::cout << file << ": max |Δlogit| / max |logit| " << worst << "\n";
        }
    }
}

TEST_CASE("gpt2: a position past the learned table is an error, not a wrap-around", "[model][gpt2]") {
    const auto m = Model::load(dataFile("tiny_gpt2.gguf"), LoadOptions{Device::Cpu});
    nlohmann::json ids = std::vector<int>(257, 40);
    CHECK_THROWS_AS(test::logitsOf(*m, ids), UsageError);
    CHECK_THROWS_WITH(test::logitsOf(*m, ids), Contains("position 256 is past the model's 256 learned positions"));
    ids = std::vector<int>(256, 40);
    CHECK(test::logitsOf(*m, ids).size(0) == 256);
}

TEST_CASE("gpt2 folders: OpenAI's unprefixed names, Conv1D orientation, refused variants", "[model][gpt2][hf]") {
    test::TempDir dir;
    const auto copy = dir / "m";
    test::copyFolder(dataFile("tiny_gpt2_hf"), copy);
    const auto ids = test::loadReference("tiny_gpt2_reference.json").at("sequences")[3].at("ids");
    const auto expected = test::logitsOf(*Model::load(copy, LoadOptions{Device::Cpu}), ids);
    const auto tensors = test::readSafetensors(copy / "model.safetensors");
    SECTION("names without the transformer. prefix") {
        auto renamed = tensors;
        for (auto& t : renamed) {
            if (t.name.rfind("transformer.", 0) == 0) t.name = t.name.substr(12);
        }
        test::writeSafetensors(copy / "model.safetensors", renamed);
        CHECK(torch::equal(test::logitsOf(*Model::load(copy, LoadOptions{Device::Cpu}), ids), expected));
    }
    SECTION("a Conv1D weight stored [out, in] is named with both shapes") {
        auto flipped = tensors;
        for (auto& t : flipped) {
            if (t.name == "transformer.h.1.mlp.c_fc.weight") t.shape = {t.shape[1], t.shape[0]};
        }
        test::writeSafetensors(copy / "model.safetensors", flipped);
        CHECK_THROWS_AS(Model::load(copy), FormatError);
        CHECK_THROWS_WITH(Model::load(copy), Contains("transformer.h.1.mlp.c_fc.weight") && Contains("expected [128, 64]"));
    }
    auto refusedWith = [&](const char* key, const nlohmann::json& value, const std::string& what) {
        auto config = test::readJson(dataFile("tiny_gpt2_hf") + "/config.json");
        config[key] = value;
        test::writeJson(copy / "config.json", config);
        CHECK_THROWS_AS(Model::load(copy), UnsupportedError);
        CHECK_THROWS_WITH(Model::load(copy), Contains("config.json") && Contains(what));
    };
    SECTION("variants that change the arithmetic") {
        refusedWith("scale_attn_by_inverse_layer_idx", true, "scale_attn_by_inverse_layer_idx");
        refusedWith("scale_attn_weights", false, "unscaled attention scores");
        refusedWith("activation_function", "relu", "activation 'relu'");
        refusedWith("add_cross_attention", true, "encoder-decoder");
        refusedWith("quantization_config", {{"quant_method", "gptq"}, {"bits", 4}}, "quant_method 'gptq'");
    }
}

TEST_CASE("gpt2: pruned exports in both formats", "[export][gpt2]") {
    test::TempDir dir;
    const auto g = Model::load(dataFile("tiny_gpt2.gguf"), LoadOptions{Device::Cpu});
    CHECK(exportPrunedModel(*g, {0}, dir / "p.gguf").selfChecked);
    CHECK(io::GgufFile::open(dir / "p.gguf").findTensor("position_embd.weight") != nullptr);
    const auto f = Model::load(dataFile("tiny_gpt2_hf"), LoadOptions{Device::Cpu});
    CHECK(exportPrunedModel(*f, {1}, dir / "p").selfChecked);
    const auto config = test::readJson(dir / "p" / "config.json");
    CHECK(config.at("n_layer") == 1);  // GPT-2's own key
    CHECK_FALSE(config.contains("num_hidden_layers"));
}
