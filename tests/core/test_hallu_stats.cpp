// Teacher-forced statistics of truthful and hallucinated answers on a tiny random model: only the
// answer tokens count (brute force over single unpadded passes agrees), padding and batching change
// nothing, length matching equalises the sides, and the cache stores and finds both sides.
#include "support/torch_catch.h"  // torch first, then Catch's CHECK (not glog's)

#include <map>

#include "avss/error.h"
#include "avss/contrastive_trainer.h"
#include "avss/evaluator.h"
#include "avss/hallu_stats.h"
#include "avss/self_answers.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

struct Fixture {
    test::TempDir dir;
    std::shared_ptr<const Model> model;
    PairSet pairs;
    Fixture() {
        setComputeThreads(1);
        model = Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cpu});
        pairs.spec.file = dir / "pairs.jsonl";
        pairs.fingerprint = "fixture";
        pairs.pairs = {{"Q: where?\nA:", "here", "over there, far away", "pairs.jsonl:1", "", ""},
                       {"Q: a much longer question about the weather today?\nA:", "rain", "snow", "pairs.jsonl:2", "", ""},
                       {"Q: x\nA:", "the answer is yes", "no", "pairs.jsonl:3", "", ""}};
        pairs.questions = 3;
    }
};

// Block outputs of one unpadded sequence: [layer] → [T, H] float64.
struct Keep : model::ActivationObserver {
    std::map<int, at::Tensor> out;
    bool wants(model::Site s) const override { return s.point == StatPoint::BlockOut; }
    void observe(model::Site s, const at::Tensor& x, const at::Tensor&) override { out[s.layer] = x[0].to(torch::kFloat64).clone(); }
};

// Per-layer mean block output and token count over the answer tokens of one side, pass by pass.
std::pair<std::vector<at::Tensor>, std::int64_t> bruteForce(const Model& model, const PairSet& pairs, AnswerSide side) {
    const auto& m = modelImpl(model);
    std::vector<at::Tensor> sum(static_cast<std::size_t>(m.hp.layers));
    std::int64_t count = 0;
    torch::InferenceMode guard;
    for (const auto& p : pairs.pairs) {
        const bool own = side == AnswerSide::Hallucinated && !p.hallucinatedContext.empty();  // qa-self: its own question
        auto ids = model.tokenizer().encode(own ? p.hallucinatedContext : p.context, true, false);
        const auto begin = static_cast<std::int64_t>(ids.size());
        const auto answer = model.tokenizer().encode(" " + (side == AnswerSide::Truthful ? p.truthful : p.hallucinated), false, false);
        ids.insert(ids.end(), answer.begin(), answer.end());
        const auto tokens = torch::tensor(std::vector<std::int64_t>(ids.begin(), ids.end()), torch::kInt64).unsqueeze(0);
        Keep keep;
        model::ForwardOptions fo;
        fo.observer = &keep;
        model::forward(m, tokens, torch::ones_like(tokens, torch::kBool), fo);
        for (int l = 0; l < m.hp.layers; ++l) {
            const auto part = keep.out[l].narrow(0, begin, static_cast<std::int64_t>(answer.size())).sum(0);
            auto& s = sum[static_cast<std::size_t>(l)];
            s = s.defined() ? s + part : part;
        }
        count += static_cast<std::int64_t>(answer.size());
    }
    for (auto& s : sum) s = s / static_cast<double>(count);
    return {sum, count};
}

at::Tensor meanOf(const SiteStats& s) { return torch::tensor(s.mean, torch::kFloat64); }

}  // namespace

TEST_CASE("Teacher-forced statistics count the answer tokens only, question and padding excluded", "[hallu]") {
    Fixture f;
    HalluOptions o;
    o.batchSize = 3;  // one right-padded batch: three different lengths
    o.shards = 1;
    const auto stats = collectHalluStats(*f.model, f.pairs, o);
    for (const auto side : {AnswerSide::Truthful, AnswerSide::Hallucinated}) {
        const auto [mean, count] = bruteForce(*f.model, f.pairs, side);
        const auto merged = stats.side(side).merged();
        CHECK(stats.side(side).provenance.tokens == count);
        CHECK(stats.side(side).provenance.sequences == 3);
        for (std::size_t l = 0; l < mean.size(); ++l) {
            CHECK(merged.layers[l].blockOut.tokens == count);
            CHECK(torch::allclose(meanOf(merged.layers[l].blockOut), mean[l], 1e-4, 1e-5));
        }
    }
    // Batches of one (no padding) and two shards give the same merged statistics.
    o.batchSize = 1;
    o.shards = 2;
    const auto single = collectHalluStats(*f.model, f.pairs, o);
    CHECK(single.truthful.shards.size() == 2);
    for (std::size_t l = 0; l < stats.truthful.merged().layers.size(); ++l) {
        const auto a = stats.truthful.merged().layers[l].mlpAct, b = single.truthful.merged().layers[l].mlpAct;
        CHECK(a.tokens == b.tokens);
        CHECK(torch::allclose(meanOf(a), meanOf(b), 1e-4, 1e-5));
        CHECK(a.channelVariance() == Approx(b.channelVariance()).epsilon(1e-4));
    }
}

TEST_CASE("Length matching cuts both answers of a pair to the shorter one", "[hallu]") {
    Fixture f;
    HalluOptions o;
    o.shards = 1;
    const auto plain = collectHalluStats(*f.model, f.pairs, o);
    CHECK(plain.truthful.provenance.tokens != plain.hallucinated.provenance.tokens);
    o.lengthMatch = true;
    const auto matched = collectHalluStats(*f.model, f.pairs, o);
    CHECK(matched.truthful.provenance.tokens == matched.hallucinated.provenance.tokens);
    CHECK(matched.truthful.provenance.tokens < plain.truthful.provenance.tokens + plain.hallucinated.provenance.tokens);
    CHECK(provenanceKey(matched.truthful.provenance) != provenanceKey(plain.truthful.provenance));
}

TEST_CASE("Hallucination statistics are cached per side and found again", "[hallu][cache]") {
    Fixture f;
    HalluRequest r;
    r.options.shards = 2;
    r.cacheDir = f.dir / "cache";
    const auto first = obtainHalluStats(*f.model, f.pairs, r);
    CHECK_FALSE(first.fromCache);
    CHECK(first.stored);
    REQUIRE(first.cacheFiles.size() == 2);
    CHECK(first.cacheFiles[0] != first.cacheFiles[1]);
    const auto second = obtainHalluStats(*f.model, f.pairs, r);
    CHECK(second.fromCache);
    CHECK(second.stats->hallucinated.merged().layers[1].blockOut.mean == first.stats->hallucinated.merged().layers[1].blockOut.mean);
    r.options.lengthMatch = true;  // another analysis: not taken from the cache
    CHECK_FALSE(obtainHalluStats(*f.model, f.pairs, r).fromCache);
    r.policy = CachePolicy::CacheOnly;
    r.options.batchSize = 5;
    CHECK_FALSE(obtainHalluStats(*f.model, f.pairs, r).stats.has_value());
}

TEST_CASE("Hallucination statistics refuse answers that cannot fit and honour cancel", "[hallu][bad-input]") {
    Fixture f;
    f.pairs.pairs[2].hallucinated = std::string(400, 'z');  // byte-level: more tokens than the tiny context of 256
    CHECK_THROWS_WITH(collectHalluStats(*f.model, f.pairs, {}), Contains("pairs.jsonl:3") && Contains("hallucinated answer"));
    f.pairs.pairs.pop_back();
    CancelToken cancel;
    cancel.cancel();
    CHECK_THROWS_AS(collectHalluStats(*f.model, f.pairs, {}, {}, &cancel), Cancelled);
    HalluOptions o;
    o.settings.excludeFirstToken = true;
    CHECK_THROWS_AS(collectHalluStats(*f.model, f.pairs, o), UsageError);
}

TEST_CASE("qa-self: the model's own choices, labelled as the evaluation scores them, each after its own question", "[hallu][self]") {
    Fixture f;
    std::string json = "[";
    const char* words[] = {"sun", "moon", "rock", "water", "tree", "cloud", "fire", "ice", "sand", "wind", "salt", "iron"};
    for (int i = 0; i < 12; ++i) {
        json += std::string(i ? "," : "") + "{\"question\": \"What is " + words[i] + "?\", \"distractor1\": \"" + words[(i + 1) % 12] +
                "\", \"distractor2\": \"a " + words[(i + 5) % 12] + "\", \"distractor3\": \"" + words[(i + 7) % 12] + " and " +
                words[(i + 3) % 12] + "\", \"correct_answer\": \"" + words[i] + "\", \"support\": \"\"}";
    }
    test::writeText(f.dir / "sciq.json", json + "]");
    TaskSpec spec;
    spec.name = "sciq";
    spec.data = f.dir / "sciq.json";
    const auto task = loadTask(spec);
    const auto pairs = selfAnswerPairs(f.model, task);
    EvalOptions plain;
    plain.bootstrapIterations = 0;
    const auto acc = Evaluator(f.model).run(task, plain).metric("acc")->value;
    const auto right = std::to_string(std::lround(acc * 12)) + " of 12 answers right";
    REQUIRE(pairs.notes.size() == 1);
    CHECK_THAT(pairs.notes[0], Contains(right));  // the labels are the evaluation's accuracy
    REQUIRE_FALSE(pairs.pairs.empty());
    const auto goldOf = [](const std::string& context) {  // "What is <gold>?" in the context
        const auto from = context.find("What is ") + 8;
        return context.substr(from, context.find('?', from) - from);
    };
    for (const auto& p : pairs.pairs) {
        CHECK(p.truthful == goldOf(p.context));
        CHECK(p.hallucinated != goldOf(p.hallucinatedContext));
        CHECK(p.hallucinatedContext != p.context);
    }
    HalluOptions o;
    o.batchSize = 2;
    o.shards = 1;
    const auto stats = collectHalluStats(*f.model, pairs, o);
    const auto [mean, count] = bruteForce(*f.model, pairs, AnswerSide::Hallucinated);
    CHECK(stats.hallucinated.provenance.tokens == count);
    for (std::size_t l = 0; l < mean.size(); ++l) CHECK(torch::allclose(meanOf(stats.hallucinated.merged().layers[l].blockOut), mean[l], 1e-4, 1e-5));
    TrainOptions t;
    t.layers = {0};
    CHECK_THROWS_WITH(ContrastiveTrainer(f.model, pairs, t), Contains("analysis only"));
}
