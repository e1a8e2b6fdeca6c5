// The logit lens on the tiny model: a row for the embeddings and one per block, the last row's top
// token is the model's own prediction, probabilities and target ranks are consistent, skipped
// blocks have no row of their own, and bad requests are usage errors.
#include "support/torch_catch.h"  // torch first, then Catch's CHECK (not glog's)

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
