// GGUF → Hugging Face folder (avss prune --format hf): every tiny family's folder reloads to the
// GGUF's logits, hyper-parameters and tokenizer; what a folder cannot hold is refused before anything
// is written. transformers' side of the check is tools/check_hf_gguf_export.py (docs/engine.md).
#include "support/torch_catch.h"

#include "avss/error.h"
#include "avss/model.h"
#include "avss/prune_export.h"
#include "support/family_logits.h"
#include "support/reference_json.h"
#include "support/safetensors_writer.h"
#include "support/temp_dir.h"
#include "tokenizer/hf_tokenizer_writer.h"

using namespace avss;
using Catch::Matchers::Contains;
using test::dataFile;

namespace {

ExportOptions asFolder() {
    ExportOptions o;
    o.format = ExportFormat::HfFolder;
    return o;
}

void checkSameTokenizer(const Tokenizer& a, const Tokenizer& b) {
    CHECK(a.spec().tokens == b.spec().tokens);
    CHECK(a.spec().tokenTypes == b.spec().tokenTypes);
    CHECK(a.spec().merges == b.spec().merges);
    CHECK(a.bosId() == b.bosId());
    CHECK(a.eosId() == b.eosId());
    CHECK(a.spec().addBos == b.spec().addBos);
    CHECK(a.spec().chatTemplate == b.spec().chatTemplate);
    for (const char* text : {"Hello world", "The year 2024 had 366 days.", "  spaces\tand\nlines ", "café 日本語 😀", "<|im_start|>user\nhi<|im_end|>"}) {
        CHECK(a.encode(text) == b.encode(text));
    }
}

}  // namespace

TEST_CASE("GGUF → Hugging Face folder: every family reloads to the GGUF's logits, traits and tokenizer", "[export][hf][gguf-to-hf]") {
    for (const char* arch : {"llama", "qwen2", "gemma", "mistral", "phi3", "gemma2", "gemma3", "gpt2"}) {
        SECTION(arch) {
            test::TempDir dir;
            const auto gguf = Model::load(dataFile(std::string("tiny_") + arch + ".gguf"), LoadOptions{Device::Cpu});
            const auto r = exportPrunedModel(*gguf, {}, dir / "full", asFolder());
            CHECK(r.selfChecked);
            CHECK(r.maxLogitDiff == 0.0);  // the same F32 values in the same forward
            const auto folder = Model::load(dir / "full", LoadOptions{Device::Cpu});
            CHECK(folder->info().format == "safetensors");
            CHECK(folder->info().arch == gguf->info().arch);
            CHECK(folder->info().unusedTensors.empty());
            const auto& a = gguf->info().hparams;
            const auto& b = folder->info().hparams;
            CHECK(b.layers == a.layers);
            CHECK(b.headDim == a.headDim);
            CHECK(b.ropeBase == a.ropeBase);
            CHECK(b.ropeLinearFactor == a.ropeLinearFactor);
            CHECK(b.slidingWindow == a.slidingWindow);
            CHECK(b.slidingLayers == a.slidingLayers);
            CHECK(b.attnSoftcap == a.attnSoftcap);
            CHECK(b.finalSoftcap == a.finalSoftcap);
            CHECK(b.queryScale() == a.queryScale());
            CHECK(b.learnedPositions == a.learnedPositions);
            CHECK(b.normEps == Approx(a.normEps));
            checkSameTokenizer(gguf->tokenizer(), folder->tokenizer());
            const auto ref = test::loadReference(std::string("tiny_") + arch + "_reference.json");
            for (const auto& s : ref.at("sequences")) CHECK(test::relErr(test::logitsOf(*folder, s.at("ids")), test::logitsOf(*gguf, s.at("ids"))) == 0.0);
            const auto pruned = exportPrunedModel(*gguf, {0}, dir / "pruned", asFolder());
            CHECK(pruned.selfChecked);
            CHECK(test::readJson(dir / "pruned" / "avss_pruned.json").at("removed_layers") == nlohmann::json::array({0}));
            CHECK(Model::load(dir / "pruned")->info().hparams.layers == a.layers - 1);
        }
    }
}

TEST_CASE("GGUF → Hugging Face folder: what a folder cannot hold is refused and nothing is left", "[export][hf][gguf-to-hf][corrupt]") {
    test::TempDir dir;
    SECTION("Llama 3.1's per-frequency RoPE factors") {
        const auto m = Model::load(dataFile("tiny_llama_rope_llama3.gguf"), LoadOptions{Device::Cpu});
        CHECK_THROWS_AS(exportPrunedModel(*m, {0}, dir / "out", asFolder()), UnsupportedError);
        CHECK_THROWS_WITH(exportPrunedModel(*m, {0}, dir / "out", asFolder()), Contains("rope_freqs.weight"));
        CHECK_FALSE(std::filesystem::exists(dir / "out"));
    }
    SECTION("a SentencePiece tokenizer") {
        const auto spm = loadTokenizer(dataFile("tiny_spm.gguf"));
        CHECK_THROWS_AS(tok::hfTokenizerJson(spm.spec()), UnsupportedError);
        CHECK_THROWS_WITH(tok::hfTokenizerJson(spm.spec()), Contains("SentencePiece") && Contains("cannot be written as tokenizer.json"));
    }
    SECTION("an existing folder") {
        const auto m = Model::load(dataFile("tiny_qwen2.gguf"), LoadOptions{Device::Cpu});
        std::filesystem::create_directories(dir / "taken");
        test::writeJson(dir / "taken" / "keep.json", nlohmann::json::object());
        CHECK_THROWS_WITH(exportPrunedModel(*m, {0}, dir / "taken", asFolder()), Contains("already exists"));
        CHECK(std::filesystem::exists(dir / "taken" / "keep.json"));
    }
}
