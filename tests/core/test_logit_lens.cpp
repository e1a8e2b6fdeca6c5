// The logit lens on the tiny model: a row for the embeddings and one per block, the last row's top
// token is the model's own prediction, probabilities and target ranks are consistent, skipped
// blocks have no row of their own, and bad requests are usage errors.
#include "support/torch_catch.h"  // torch first, then Catch's CHECK (not glog's)

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "avss/error.h"
#include "avss/logit_lens.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

std::shared_ptr<const Model> tiny() {
    static const auto m = [] {
        setComputeThreads(1);
        return Model::load(std::string(AVSS_TEST_DATA_DIR) + "/tiny_llama.gguf", LoadOptions{Device::Cpu});
    }();
    return m;
}

std::vector<TokenId> prompt() { return tiny()->tokenizer().encode("the cat sat on the mat and", false); }

}  // namespace

TEST_CASE("logit lens: a row per block plus the embeddings; the last row predicts what the model predicts", "[lens]") {
    const auto tokens = prompt();
    REQUIRE(tokens.size() >= 4);
    LensOptions o;
    o.topK = 3;
    const auto lens = logitLens(*tiny(), tokens, o);
    const int layers = tiny()->info().hparams.layers;
    REQUIRE(static_cast<int>(lens.rows.size()) == layers + 1);
    CHECK(lens.rows.front().layer == -1);
    CHECK(lens.rows.back().layer == layers - 1);
    REQUIRE(lens.prediction.size() == tokens.size());
    CHECK(lens.targets.back() == -1);
    CHECK(lens.targets.front() == tokens[1]);  // the next prompt token
    for (const auto& row : lens.rows) {
        INFO("row " << row.layer);
        CHECK_FALSE(row.skipped);
        REQUIRE(row.positions.size() == tokens.size());
        for (std::size_t p = 0; p < tokens.size(); ++p) {
            const auto& c = row.positions[p];
            REQUIRE(c.top.size() == 3);
            CHECK(c.topProb[0] >= c.topProb[1]);
            CHECK(c.topProb[1] >= c.topProb[2]);
            CHECK(c.topProb[0] + c.topProb[1] + c.topProb[2] <= 1.0f + 1e-5f);
            if (p + 1 < tokens.size()) {
                CHECK(c.targetProb >= 0);
                CHECK(c.targetProb <= c.topProb[0] + 1e-6f);
                CHECK((c.targetRank == 0) == (c.top[0] == lens.targets[p]));
            } else {
                CHECK(std::isnan(c.targetProb));
            }
        }
    }
    for (std::size_t p = 0; p < tokens.size(); ++p) CHECK(lens.rows.back().positions[p].top[0] == lens.prediction[p]);
    // The embeddings row differs from the last: the blocks do something.
    bool differs = false;
    for (std::size_t p = 0; p < tokens.size(); ++p) differs |= lens.rows.front().positions[p].topProb[0] != lens.rows.back().positions[p].topProb[0];
    CHECK(differs);
}

TEST_CASE("logit lens: skipped blocks keep no row of their own and the prediction is the pruned model's", "[lens]") {
    const auto tokens = prompt();
    LensOptions o;
    o.skipLayers = {1};
    const auto lens = logitLens(*tiny(), tokens, o);
    CHECK(lens.rows[2].skipped);
    CHECK(lens.rows[2].positions.empty());
    for (std::size_t p = 0; p < tokens.size(); ++p) CHECK(lens.rows.back().positions[p].top[0] == lens.prediction[p]);
    o.skipLayers = {0};
    const auto noFirst = logitLens(*tiny(), tokens, o);
    CHECK_FALSE(noFirst.rows.front().positions.empty());  // the embeddings are block 1's input now
}

TEST_CASE("logit lens: bad requests are usage errors", "[lens]") {
    const auto tokens = prompt();
    CHECK_THROWS_AS(logitLens(*tiny(), {}), UsageError);
    LensOptions o;
    o.maxTokens = 2;
    CHECK_THROWS_WITH(logitLens(*tiny(), tokens, o), Contains("at most 2"));
    o = {};
    o.targets = {1};
    CHECK_THROWS_WITH(logitLens(*tiny(), tokens, o), Contains("targets"));
    o = {};
    o.topK = 0;
    CHECK_THROWS_AS(logitLens(*tiny(), tokens, o), UsageError);
    o = {};
    for (int l = 0; l < tiny()->info().hparams.layers; ++l) o.skipLayers.push_back(l);
    CHECK_THROWS_WITH(logitLens(*tiny(), tokens, o), Contains("every block is skipped"));
    CHECK_THROWS_AS(logitLens(*tiny(), {tiny()->tokenizer().vocabSize()}), UsageError);
}

TEST_CASE("logit lens attention: transformers' weights (sliding window, grouped-query heads), rows sum to 1, causal",
          "[lens][attention]") {
    const auto ref = nlohmann::json::parse(std::ifstream(std::string(AVSS_TEST_DATA_DIR) + "/tiny_mistral_reference.json"));
    const auto m = Model::load(std::string(AVSS_TEST_DATA_DIR) + "/tiny_mistral.gguf", LoadOptions{Device::Cpu});
    const auto& att = ref.at("attentions");
    const auto ids = ref.at("sequences").at(att.at("sequence").get<std::size_t>()).at("ids").get<std::vector<TokenId>>();
    LensOptions o;
    o.attention = true;
    const auto lens = logitLens(*m, ids, o);
    const int T = static_cast<int>(ids.size());
    REQUIRE(lens.heads == 4);
    REQUIRE(lens.attention.size() == 2);
    double worst = 0;
    for (int l = 0; l < 2; ++l) {
        const auto& layer = att.at("layers").at(static_cast<std::size_t>(l));
        for (int h = 0; h < lens.heads; ++h) {
            for (int q = 0; q < T; ++q) {
                double sum = 0;
                for (int k = 0; k < T; ++k) {
                    const double ours = lens.attentionAt(l, h, q, k);
                    worst = std::max(worst, std::abs(ours - layer.at(h).at(q).at(k).get<double>()));
                    sum += ours;
                    if (k > q || q - k >= 8) CHECK(ours == 0.0);  // after the query, or outside the window of 8
                }
                CHECK(sum == Approx(1.0).margin(1e-5));
            }
        }
    }
    CHECK(worst < 1e-5);
    LensOptions skip = o;
    skip.skipLayers = {0};
    const auto pruned = logitLens(*m, ids, skip);
    CHECK(pruned.attention[0].empty());  // a skipped block has no attention
    CHECK(pruned.attention[1].size() == static_cast<std::size_t>(4 * T * T));
    const auto json = nlohmann::json::parse(logitLensJson(lens, m->tokenizer()));
    REQUIRE(json.at("attention").size() == 2);
    CHECK(json.at("attention").at(1).at(3).at(T - 1).size() == static_cast<std::size_t>(T));  // keys 0..query
    CHECK(json.at("attention").at(1).at(3).at(T - 1).at(T - 1).get<double>() == Approx(lens.attentionAt(1, 3, T - 1, T - 1)));
}
