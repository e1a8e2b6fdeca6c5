// Gemma 2 and Gemma 3 text models against transformers (tools/make_tiny_family.py --arch gemma2|gemma3):
// post norms, tanh softcapping, interleaved sliding/global blocks, Gemma 3's q/k norms and its sliding
// blocks' own unscaled RoPE, from the GGUF and from the Hugging Face folder. Each kept block keeps its
// kind through a pruned export in both formats.
#include "support/torch_catch.h"

#include <iostream>

#include "avss/error.h"
#include "avss/model.h"
#include "avss/prune_export.h"
#include "io/gguf_file.h"
#include "io/gguf_writer.h"
#include "support/family_logits.h"
#include "support/reference_json.h"
#include "support/safetensors_writer.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using Catch::Matchers::Contains;
using test::dataFile;

namespace {

std::vector<bool> slidingOf(const std::filesystem::path& model) { return Model::load(model, LoadOptions{Device::Cpu})->info().hparams.slidingLayers; }

}  // namespace

TEST_CASE("gemma2: logits match transformers from the GGUF and the folder (post norms, softcapping, window on even blocks)",
          "[parity][gemma2]") {
    const auto ref = test::loadReference("tiny_gemma2_reference.json");
    CHECK(ref.at("max_abs_logit_change_without_softcapping").get<double>() > 0.05);  // ignoring the caps would fail
    for (const char* file : {"tiny_gemma2.gguf", "tiny_gemma2_hf"}) {
        SECTION(file) {
            const auto m = Model::load(dataFile(file), LoadOptions{Device::Cpu});
            const auto& hp = m->info().hparams;
            CHECK(m->info().arch == "gemma2");
            CHECK(m->info().unusedTensors.empty());  // the post norms are consumed
            CHECK(hp.attnSoftcap == 2.0);
            CHECK(hp.finalSoftcap == 3.0);
            CHECK(hp.slidingLayers == std::vector<bool>{true, false});  // llama.cpp's pattern for the GGUF, layer_types for the folder
            CHECK(hp.layer(0).attentionName() == "sliding window of 8 tokens");
            CHECK(hp.layer(1).attentionName() == "full causal");
            CHECK(hp.attentionSummary() == "sliding window of 8 tokens on blocks 0 (RoPE base 10000); full causal on blocks 1 (RoPE base 10000)");
            CHECK(hp.scoringName() == "scores x 1/sqrt(32), softcapped at 2; logits softcapped at 3");
            const double worst = test::checkLogits(*m, ref.at("sequences"));
            std::cout << file << ": max |Δlogit| / max |logit| " << worst << "\n";
        }
    }
}

TEST_CASE("gemma3: logits match transformers from the GGUF and the folder (q/k norms, five sliding blocks on their own RoPE)",
          "[parity][gemma3]") {
    const auto ref = test::loadReference("tiny_gemma3_reference.json");
    CHECK(ref.at("max_abs_logit_change_with_global_rope_everywhere").get<double>() > 0.05);
    for (const char* file : {"tiny_gemma3.gguf", "tiny_gemma3_hf"}) {
        SECTION(file) {
            const auto m = Model::load(dataFile(file), LoadOptions{Device::Cpu});
            const auto& hp = m->info().hparams;
            CHECK(m->info().arch == "gemma3");
            CHECK(m->info().unusedTensors.empty());  // q/k norms and post norms consumed
            CHECK(hp.slidingLayers == std::vector<bool>{true, true, true, true, true, false});
            CHECK(hp.ropeScalingName() == "linear x8");
            const auto local = hp.layer(0), global = hp.layer(5);
            CHECK(local.slidingWindow == 8);
            CHECK(local.ropeBase == 10000.0);
            CHECK_FALSE(local.ropeScaled);  // the global blocks' x8 does not apply to the sliding ones
            CHECK(global.slidingWindow == 0);
            CHECK(global.ropeBase == 1e6);
            CHECK(global.ropeScaled);
            CHECK(hp.finalSoftcap == 0.0);
            const double worst = test::checkLogits(*m, ref.at("sequences"));
            std::cout << file << ": max |Δlogit| / max |logit| " << worst << "\n";
        }
    }
}

TEST_CASE("gemma3 folder: query_pre_attn_scalar sets the score scale", "[parity][gemma3][hf]") {
    const auto ref = test::loadReference("tiny_gemma3_reference.json");
    const auto& variant = ref.at("query_scalar_variant");
    CHECK(variant.at("max_abs_logit_change").get<double>() > 0.05);  // the default scale would fail
    test::TempDir dir;
    const auto folder = test::copyFolderWithConfig(dataFile("tiny_gemma3_hf"), dir / "m",
                                                   [&](nlohmann::json& c) { c["query_pre_attn_scalar"] = variant.at("query_pre_attn_scalar"); });
    const auto m = Model::load(folder, LoadOptions{Device::Cpu});
    CHECK(m->info().hparams.scoringName() == "scores x 1/sqrt(24)");
    const auto& seq = ref.at("sequences")[variant.at("sequence").get<std::size_t>()];
    CHECK(test::relErr(test::logitsOf(*m, seq.at("ids")), test::tensorOf(variant.at("logits"))) < 1e-5);
}

TEST_CASE("gemma2/3: pruned exports keep each kept block's kind, in GGUFs and in folders", "[export][gemma2][gemma3]") {
    test::TempDir dir;
    SECTION("GGUF: the per-block pattern is written, since llama.cpp would derive it from the new block numbers") {
        const auto m = Model::load(dataFile("tiny_gemma2.gguf"), LoadOptions{Device::Cpu});
        const auto r = exportPrunedModel(*m, {0}, dir / "g2.gguf");  // the global block 1 becomes block 0
        CHECK(r.selfChecked);
        const auto f = io::GgufFile::open(dir / "g2.gguf");
        const auto* pattern = f.getArray("gemma2.attention.sliding_window_pattern");
        REQUIRE(pattern != nullptr);
        CHECK(pattern->items.size() == 1);
        CHECK(slidingOf(dir / "g2.gguf") == std::vector<bool>{false});
        const auto g3 = Model::load(dataFile("tiny_gemma3.gguf"), LoadOptions{Device::Cpu});
        CHECK(exportPrunedModel(*g3, {0, 1}, dir / "g3.gguf").selfChecked);
        CHECK(slidingOf(dir / "g3.gguf") == std::vector<bool>{true, true, true, false});
    }
    SECTION("folder: layer_types trimmed, or written when the config derives the kinds from block numbers") {
        const auto g3 = Model::load(dataFile("tiny_gemma3_hf"), LoadOptions{Device::Cpu});
        CHECK(exportPrunedModel(*g3, {4}, dir / "g3").selfChecked);
        CHECK(test::readJson(dir / "g3" / "config.json").at("layer_types").size() == 5);
        // As older Gemma 2 configs: no layer_types, even blocks slide.
        test::copyFolderWithConfig(dataFile("tiny_gemma2_hf"), dir / "m", [](nlohmann::json& c) { c.erase("layer_types"); });
        const auto g2 = Model::load(dir / "m", LoadOptions{Device::Cpu});
        CHECK(g2->info().hparams.slidingLayers == std::vector<bool>{true, false});
        CHECK(exportPrunedModel(*g2, {0}, dir / "g2").selfChecked);
        CHECK(test::readJson(dir / "g2" / "config.json").at("layer_types") == nlohmann::json::array({"full_attention"}));
    }
}

TEST_CASE("gemma2/3: bad per-block metadata and unsupported variants are named", "[model][corrupt][gemma2][gemma3]") {
    test::TempDir dir;
    using W = io::GgufWriter;
    using F = io::GgufFile;
    SECTION("a pattern of the wrong length") {
        const auto p = test::rewriteGguf(dataFile("tiny_gemma2.gguf"), dir / "pattern.gguf", [](W& w, const F&) {
            w.setI32Array("gemma2.attention.sliding_window_pattern", {1, 0, 1});
        });
        CHECK_THROWS_AS(Model::load(p), FormatError);
        CHECK_THROWS_WITH(Model::load(p), Contains("pattern.gguf") && Contains("has 3 entries for 2 blocks"));
    }
    SECTION("a pattern entry that is not a flag") {
        const auto p = test::rewriteGguf(dataFile("tiny_gemma2.gguf"), dir / "flag.gguf", [](W& w, const F&) {
            w.setI32Array("gemma2.attention.sliding_window_pattern", {1, 7});
        });
        CHECK_THROWS_WITH(Model::load(p), Contains("flag.gguf") && Contains("not a flag per block"));
    }
    SECTION("a negative softcap") {
        const auto p = test::rewriteGguf(dataFile("tiny_gemma2.gguf"), dir / "cap.gguf", [](W& w, const F&) {
            w.setF32("gemma2.attn_logit_softcapping", -1.0f);
        });
        CHECK_THROWS_WITH(Model::load(p), Contains("cap.gguf") && Contains("softcapping is out of range"));
    }
    SECTION("a missing k norm") {
        const auto p = test::rewriteGguf(dataFile("tiny_gemma3.gguf"), dir / "nonorm.gguf", [](W&, const F&) {}, "blk.5.attn_k_norm.weight");
        CHECK_THROWS_WITH(Model::load(p), Contains("nonorm.gguf") && Contains("blk.5.attn_k_norm.weight") && Contains("missing"));
    }
    auto folderWith = [&](const std::function<void(nlohmann::json&)>& edit) { return test::copyFolderWithConfig(dataFile("tiny_gemma3_hf"), dir / "f", edit); };
    SECTION("an unknown layer kind") {
        const auto f = folderWith([](nlohmann::json& j) { j["layer_types"][2] = "chunked_attention"; });
        CHECK_THROWS_AS(Model::load(f), UnsupportedError);
        CHECK_THROWS_WITH(Model::load(f), Contains("config.json") && Contains("layer_types entry 'chunked_attention'"));
    }
    SECTION("scaled RoPE on the sliding blocks") {
        const auto f = folderWith([](nlohmann::json& j) { j["rope_parameters"]["sliding_attention"]["rope_type"] = "linear"; });
        CHECK_THROWS_WITH(Model::load(f), Contains("RoPE scaling of the sliding blocks"));
    }
    SECTION("a softcap of zero") {
        const auto f = folderWith([](nlohmann::json& j) { j["final_logit_softcapping"] = 0.0; });
        CHECK_THROWS_WITH(Model::load(f), Contains("final_logit_softcapping") && Contains("outside (0, 1e6)"));
    }
}

TEST_CASE("gemma3 vision-language folder: its text stack matches transformers; pruned as a folder or as a GGUF", "[parity][gemma3][hf]") {
    // tools/make_tiny_gemma3_vl.py: a Gemma3ForConditionalGeneration (model_type gemma3, text_config,
    // tensors under language_model.model.) with a tiny SigLIP tower.
    const auto m = Model::load(dataFile("tiny_gemma3_vl_hf"), LoadOptions{Device::Cpu});
    CHECK(m->info().arch == "gemma3");
    CHECK(m->info().hparams.slidingLayers == std::vector<bool>{true, false});
    const auto& unused = m->info().unusedTensors;
    REQUIRE_FALSE(unused.empty());
    for (const auto& t : unused) CHECK(t.rfind("language_model.", 0) != 0);  // only the vision tower and projector are left
    const auto ref = test::loadReference("tiny_gemma3_vl_reference.json");
    const double worst = test::checkLogits(*m, ref.at("sequences"));
    std::cout << "tiny_gemma3_vl_hf: max |Δlogit| / max |logit| " << worst << "\n";
    test::TempDir dir;
    // Pruned as a folder: the text stack's layers renumbered under language_model.model., text_config trimmed.
    CHECK(exportPrunedModel(*m, {0}, dir / "p").selfChecked);
    const auto config = test::readJson(dir / "p" / "config.json");
    CHECK(config.at("text_config").at("num_hidden_layers") == 1);
    CHECK(config.at("text_config").at("layer_types") == nlohmann::json::array({"full_attention"}));
    CHECK_FALSE(config.contains("num_hidden_layers"));
    CHECK(Model::load(dir / "p", LoadOptions{Device::Cpu})->info().hparams.slidingLayers == std::vector<bool>{false});
    ExportOptions asGguf;
    asGguf.format = ExportFormat::Gguf;
    CHECK(exportPrunedModel(*m, {}, dir / "text.gguf", asGguf).selfChecked);  // the text stack as a GGUF
}
