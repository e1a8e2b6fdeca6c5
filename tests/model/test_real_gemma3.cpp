// A real Gemma 3 (270M, Q4_K_M, from scripts/fetch-model.sh gemma3-270m) against transformers' reading of
// the same GGUF (tools/make_real_family_reference.py): the family the sample model does not cover, with
// SentencePiece, sliding-window blocks of their own RoPE base, q/k norms, post norms and K-quants.
#include "support/torch_catch.h"

#include <iostream>

#include "avss/generate.h"
#include "avss/model.h"
#include "util/sha256.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "support/real_model.h"
#include "support/reference_json.h"

using namespace avss;

namespace {

const nlohmann::json& reference() {
    static const auto ref = test::loadReference("gemma3_270m_reference.json");
    return ref;
}

std::shared_ptr<const Model> gemma() {
    static const auto m = Model::load(test::requireRealModel(AVSS_REAL_MODEL_FILE), LoadOptions{Device::Cpu});
    return m;
}

}  // namespace

TEST_CASE("real Gemma 3: the file and its facts", "[real][gemma3]") {
    CHECK(util::sha256File(test::requireRealModel(AVSS_REAL_MODEL_FILE)) == reference().at("provenance").at("model_sha256").get<std::string>());
    const auto& i = gemma()->info();
    CHECK(i.arch == "gemma3");
    CHECK(i.hparams.layers == 18);
    CHECK(i.hparams.vocab == 262144);
    const auto& hp = i.hparams;
    for (int l = 0; l < hp.layers; ++l) {
        INFO("block " << l);
        const bool global = (l + 1) % 6 == 0;  // llama.cpp's Gemma 3 pattern: every 6th block global
        CHECK(hp.layer(l).slidingWindow == (global ? 0 : 512));
        CHECK(hp.layer(l).ropeBase == (global ? 1e6 : 1e4));
    }
    CHECK(gemma()->tokenizer().prependsBos());
}

TEST_CASE("real Gemma 3: token ids are transformers', WikiText's <unk> included", "[real][gemma3]") {
    for (const auto& s : reference().at("strings")) {
        const auto text = s.at("text").get<std::string>();
        INFO(text);
        CHECK(gemma()->tokenizer().encode(text, /*addSpecial=*/false) == s.at("ids").get<std::vector<TokenId>>());
    }
    for (const auto& p : reference().at("prompts")) {  // with special tokens: BOS first, as the model's tokenizer adds it
        CHECK(gemma()->tokenizer().encode(p.at("text").get<std::string>()) == p.at("ids").get<std::vector<TokenId>>());
    }
}

TEST_CASE("real Gemma 3: last-position logits within 1e-5 of max |logit|, same greedy 16 tokens", "[real][gemma3]") {
    torch::NoGradGuard g;
    const auto checksumIds = reference().at("checksum_ids").get<std::vector<std::int64_t>>();
    double worst = 0;
    for (const auto& p : reference().at("prompts")) {
        INFO(p.at("text").get<std::string>());
        const auto ids = p.at("ids").get<std::vector<std::int64_t>>();
        const auto tokens = torch::tensor(ids, torch::kInt64).unsqueeze(0);
        const auto row = model::forward(modelImpl(*gemma()), tokens, torch::ones_like(tokens, torch::kBool))[0][-1].to(torch::kFloat64);
        const double maxAbs = p.at("max_abs").get<double>();
        auto compare = [&](double ours, double expected) {
            worst = std::max(worst, std::abs(ours - expected) / maxAbs);
            CHECK(std::abs(ours - expected) <= 1e-5 * maxAbs);
        };
        compare(row.abs().max().item<double>(), maxAbs);
        compare(torch::logsumexp(row, 0).item<double>(), p.at("logsumexp").get<double>());
        const auto topIds = p.at("top10_ids").get<std::vector<std::int64_t>>();
        const auto topVals = p.at("top10_logits").get<std::vector<double>>();
        CHECK(row.argmax().item<std::int64_t>() == topIds.at(0));
        for (std::size_t k = 0; k < topIds.size(); ++k) compare(row[topIds[k]].item<double>(), topVals[k]);
        const auto sums = p.at("checksum_logits").get<std::vector<double>>();
        for (std::size_t k = 0; k < checksumIds.size(); ++k) compare(row[checksumIds[k]].item<double>(), sums[k]);

        GenerateOptions o;
        o.maxNewTokens = static_cast<int>(p.at("greedy").size());
        o.stopAtEos = false;
        CHECK(generate(*gemma(), p.at("ids").get<std::vector<TokenId>>(), o).tokens == p.at("greedy").get<std::vector<TokenId>>());
    }
    std::cout << "real Gemma 3: max |diff| / max |logit| = " << worst << " (limit 1e-5)\n";
}
