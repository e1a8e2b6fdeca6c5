// GGUF → Hugging Face folder (avss prune --format hf) and back (--format gguf): every tiny family's
// folder reloads to the GGUF's logits, hyper-parameters and tokenizer, and a GGUF written from a folder
// holds the same tensors, bit for bit, as the converter-style fixture GGUF; what a format cannot hold
// is refused before anything is written. transformers' side of the check is
// tools/check_hf_gguf_export.py (docs/engine.md).
#include "support/torch_catch.h"

#include <cstring>

#include "avss/error.h"
#include "avss/model.h"
#include "avss/prune_export.h"
#include "io/gguf_file.h"
#include "support/family_logits.h"
#include "support/reference_json.h"
#include "support/safetensors_writer.h"
#include "support/temp_dir.h"
#include "io/gguf_writer.h"
#include "model/hf_config_writer.h"
#include "model/hf_hparams.h"
#include "support/tiny_model.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/hf_tokenizer_writer.h"

using namespace avss;
using Catch::Matchers::Contains;
using test::dataFile;

namespace {

ExportOptions as(ExportFormat format) {
    ExportOptions o;
    o.format = format;
    return o;
}
ExportOptions asFolder() { return as(ExportFormat::HfFolder); }

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

TEST_CASE("Hugging Face folder → GGUF: every family's tensors as llama.cpp's converter writes them, the folder's logits",
          "[export][hf][hf-to-gguf]") {
    for (const char* arch : {"qwen2", "gemma", "mistral", "phi3", "gemma2", "gemma3", "gpt2"}) {
        SECTION(arch) {
            test::TempDir dir;
            const auto folder = Model::load(dataFile(std::string("tiny_") + arch + "_hf"), LoadOptions{Device::Cpu});
            const auto out = dir / "m.gguf";
            const auto r = exportPrunedModel(*folder, {}, out, as(ExportFormat::Gguf));
            CHECK(r.selfChecked);
            CHECK(r.maxLogitDiff == 0.0);
            CHECK_FALSE(prunedExportIsFolder(folder->info(), ExportFormat::Gguf));
            // Q/K rows permuted for mistral (a llama row), Gemma norms as 1 + w, GPT-2 weights transposed:
            // the same bytes as tools/make_tiny_family.py's converter-style GGUF.
            const auto written = io::GgufFile::open(out);
            const auto fixture = io::GgufFile::open(dataFile(std::string("tiny_") + arch + ".gguf"));
            for (const auto& t : fixture.tensors()) {
                if (t.name == "output.weight") continue;  // GPT-2's converter stores the tied embedding twice
                INFO(t.name);
                const auto* w = written.findTensor(t.name);
                REQUIRE(w != nullptr);
                CHECK(w->ne == t.ne);
                CHECK(std::memcmp(written.tensorData(*w), fixture.tensorData(t), t.bytes) == 0);
            }
            const auto reloaded = Model::load(out, LoadOptions{Device::Cpu});
            CHECK(reloaded->info().hparams.slidingLayers == folder->info().hparams.slidingLayers);
            CHECK(reloaded->info().hparams.queryScale() == folder->info().hparams.queryScale());
            checkSameTokenizer(folder->tokenizer(), reloaded->tokenizer());
            const auto pruned = exportPrunedModel(*folder, {0}, dir / "p.gguf", as(ExportFormat::Gguf));
            CHECK(pruned.selfChecked);
            CHECK(io::GgufFile::open(dir / "p.gguf").getIntArray("avss.pruned.removed_layers") == std::vector<std::int64_t>{0});
        }
    }
    SECTION("a query scale a GGUF of that shape cannot say is refused") {
        test::TempDir dir;
        test::copyFolderWithConfig(dataFile("tiny_gemma3_hf"), dir / "m", [](nlohmann::json& c) { c["query_pre_attn_scalar"] = 24; });
        const auto m = Model::load(dir / "m", LoadOptions{Device::Cpu});
        CHECK_THROWS_AS(exportPrunedModel(*m, {0}, dir / "q.gguf", as(ExportFormat::Gguf)), UnsupportedError);
        CHECK_THROWS_WITH(exportPrunedModel(*m, {0}, dir / "q.gguf", as(ExportFormat::Gguf)), Contains("query scale"));
        CHECK_FALSE(std::filesystem::exists(dir / "q.gguf"));
    }
}

TEST_CASE("A GGUF's SentencePiece tokenizer as tokenizer.json: the same ids on every test string", "[export][hf][gguf-to-hf][spm]") {
    // Merges from the scores (transformers' converter's order), Prepend + Replace for SentencePiece's
    // own space rule; tools/check_hf_gguf_export.py runs the tokenizers library on such a file.
    const auto gguf = loadTokenizer(dataFile("tiny_spm.gguf"));
    const auto j = tok::hfTokenizerJson(gguf.spec());
    CHECK(j.at("model").at("byte_fallback") == true);
    CHECK(j.at("normalizer").at("type") == "Sequence");
    const Tokenizer back(tokenizerSpecFromHf(j, tok::hfTokenizerConfig(gguf.spec(), 256), nlohmann::json::object(), "tokenizer.json"));
    CHECK(back.spec().tokens == gguf.spec().tokens);
    CHECK(back.spec().tokenTypes == gguf.spec().tokenTypes);
    CHECK(back.bosId() == gguf.bosId());
    int cases = 0;
    const auto expected = test::loadReference("tiny_spm_hf_expected.json");  // held: a range over a temporary's member would dangle
    for (const auto& k : expected.at("cases")) {
        const auto text = k.at("text").get<std::string>();
        INFO("'" << text << "'");
        const auto ids = gguf.encode(text);
        CHECK(back.encode(text) == ids);
        CHECK(back.decode(ids, true) == gguf.decode(ids, true));
        ++cases;
    }
    CHECK(cases == 349);
}

TEST_CASE("GGUF → Hugging Face folder: Llama 3.1's rope_freqs.weight becomes the llama3 parameters that give it", "[export][hf][gguf-to-hf][rope]") {
    test::TempDir dir;
    // The tiny fixture (head size 16) has one frequency between the thresholds: Llama 3's low 1 and high 4 are assumed.
    const auto m = Model::load(dataFile("tiny_llama_rope_llama3.gguf"), LoadOptions{Device::Cpu});
    CHECK(exportPrunedModel(*m, {}, dir / "f", asFolder()).selfChecked);  // reloads to the GGUF's logits
    const auto scaling = test::readJson(dir / "f" / "config.json").at("rope_scaling");
    CHECK(scaling.at("rope_type") == "llama3");
    CHECK(scaling.at("factor").get<double>() == Approx(8.0));
    CHECK(scaling.at("original_max_position_embeddings") == 32);
    CHECK(scaling.at("low_freq_factor").get<double>() == 1.0);
    CHECK(scaling.at("high_freq_factor").get<double>() == 4.0);
    // A real Llama 3.2 shape (head size 128, base 5e5, factor 32) has six frequencies between the
    // thresholds: the line through them gives the parameters back.
    ModelInfo info;
    info.arch = "llama";
    info.path = "llama32.gguf";
    info.hparams.layers = 2;
    info.hparams.headDim = 128;
    info.hparams.ropeBase = 500000.0;
    info.hparams.ropeFreqFactors = true;
    const auto divisors = model::llama3RopeDivisors({32.0, 1.0, 4.0, 8192.0}, 500000.0, 128);
    const auto c = model::hfConfigFor(info, TokenizerSpec{}, {0, 1}, divisors).at("rope_scaling");
    CHECK(c.at("factor").get<double>() == Approx(32.0));
    CHECK(c.at("low_freq_factor").get<double>() == Approx(1.0).epsilon(1e-9));
    CHECK(c.at("high_freq_factor").get<double>() == Approx(4.0).epsilon(1e-9));
    CHECK(c.at("original_max_position_embeddings") == 8192);
}

TEST_CASE("GGUF → Hugging Face folder: what a folder cannot hold is refused and nothing is left", "[export][hf][gguf-to-hf][corrupt]") {
    test::TempDir dir;
    SECTION("per-frequency RoPE factors that no Llama 3 scaling gives") {
        const auto p = test::rewriteGguf(dataFile("tiny_llama_rope_llama3.gguf"), dir / "odd.gguf", [](io::GgufWriter& w, const io::GgufFile&) {
            w.addF32Tensor("rope_freqs.weight", {8}, {1, 3, 2, 8, 8, 8, 8, 8});  // not monotone
        }, "rope_freqs.weight");
        const auto m = Model::load(p, LoadOptions{Device::Cpu});
        CHECK_THROWS_AS(exportPrunedModel(*m, {0}, dir / "out", asFolder()), UnsupportedError);
        CHECK_THROWS_WITH(exportPrunedModel(*m, {0}, dir / "out", asFolder()), Contains("odd.gguf") && Contains("not those of any Llama 3 scaling"));
        CHECK_FALSE(std::filesystem::exists(dir / "out"));
    }
    SECTION("a SentencePiece tokenizer read with Metaspace's space rule (GGUF has no word for it either)") {
        const auto folder = std::filesystem::path(dataFile("tiny_spm_hf"));
        const auto spec = tokenizerSpecFromHf(test::readJson(folder / "tokenizer.json"), test::readJson(folder / "tokenizer_config.json"),
                                              nlohmann::json::object(), folder / "tokenizer.json");
        CHECK_THROWS_AS(tok::hfTokenizerJson(spec), UnsupportedError);
        CHECK_THROWS_WITH(tok::hfTokenizerJson(spec), Contains("Metaspace"));
    }
    SECTION("an existing folder") {
        const auto m = Model::load(dataFile("tiny_qwen2.gguf"), LoadOptions{Device::Cpu});
        std::filesystem::create_directories(dir / "taken");
        test::writeJson(dir / "taken" / "keep.json", nlohmann::json::object());
        CHECK_THROWS_WITH(exportPrunedModel(*m, {0}, dir / "taken", asFolder()), Contains("already exists"));
        CHECK(std::filesystem::exists(dir / "taken" / "keep.json"));
    }
}
