// The Evaluator on the tiny reference model: lm-eval's context/continuation tokenisation, the
// shared-context log-likelihood engine against a plain full forward (prefix reuse, one-token fast
// path, truncation), and whole runs of choice and generation tasks (records, what-if, cancel).
#include "support/torch_catch.h"

#include <cmath>

#include "avss/corpus.h"
#include "avss/corpus_tokens.h"
#include "avss/error.h"
#include "avss/evaluator.h"
#include "avss/generate.h"
#include "avss/model.h"
#include "avss/perplexity.h"
#include "eval/choice_scorer.h"
#include "io/gguf_writer.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;

namespace {

std::shared_ptr<const Model> tinyModel() {
    static const auto m = Model::load(std::string(AVSS_TEST_DATA_DIR) + "/tiny_llama.gguf", LoadOptions{Device::Cpu});
    return m;
}

// Σ log p(continuation | context) from one forward over context + continuation, no cache.
double referenceLoglik(const Model& m, const std::vector<TokenId>& context, const std::vector<TokenId>& cont) {
    torch::InferenceMode guard;
    std::vector<std::int64_t> seq(context.begin(), context.end());
    seq.insert(seq.end(), cont.begin(), cont.end());
    const auto ids = torch::tensor(seq, torch::kInt64).unsqueeze(0);
    const auto logp = torch::log_softmax(model::forward(modelImpl(m), ids, torch::ones_like(ids, torch::kBool))[0], -1);
    double sum = 0;
    for (std::size_t j = 0; j < cont.size(); ++j) sum += logp[static_cast<std::int64_t>(context.size() + j - 1)][cont[j]].item<double>();
    return sum;
}

ChoiceSet choiceSet(std::string context, std::vector<std::string> choices, int gold) {
    ChoiceSet s;
    s.context = std::move(context);
    s.choices = std::move(choices);
    s.labels.assign(s.choices.size(), 0);
    s.labels[static_cast<std::size_t>(gold)] = 1;
    return s;
}

TaskData choiceTask() {
    TaskData t;
    t.task = "sciq";
    t.title = "handmade";
    t.kind = TaskKind::MultipleChoice;
    t.format = "test";
    const char* questions[] = {"Which gas do plants take in?", "What melts ice?", "Where do fish live?", "What is red?"};
    for (int i = 0; i < 4; ++i) {
        EvalItem item;
        item.source = "test:" + std::to_string(i + 1);
        item.sets.push_back(choiceSet(std::string("Question: ") + questions[i] + "\nAnswer:",
                                      {"carbon dioxide", "heat", "water", "a ripe tomato"}, i));
        t.items.push_back(item);
    }
    return t;
}

}  // namespace

TEST_CASE("tokenize moves the context's trailing whitespace into every continuation", "[evaluator]") {
    Evaluator ev(tinyModel());
    const auto& tok = tinyModel()->tokenizer();
    ChoiceSet s = choiceSet("great film . \nAnswer: ", {"yes", "no way"}, 0);
    const auto r = ev.tokenize(s);
    CHECK(r.context == tok.encode("great film . \nAnswer:"));
    REQUIRE(r.continuations.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto whole = tok.encode("great film . \nAnswer:  " + s.choices[i]);  // moved space + delimiter
        CHECK(r.continuations[i] == std::vector<TokenId>(whole.begin() + static_cast<std::ptrdiff_t>(r.context.size()), whole.end()));
    }
    // str.rstrip() whitespace beyond ASCII (U+00A0 no-break space, U+3000 ideographic space) moves too
    const auto u = ev.tokenize(choiceSet("Answer:\xC2\xA0 \xE3\x80\x80", {"yes"}, 0));
    CHECK(u.context == tok.encode("Answer:"));
    const auto whole = tok.encode("Answer:\xC2\xA0 \xE3\x80\x80 yes");
    CHECK(u.continuations[0] == std::vector<TokenId>(whole.begin() + static_cast<std::ptrdiff_t>(u.context.size()), whole.end()));
}

TEST_CASE("shared-context log-likelihoods equal a full forward per choice, with prefix reuse", "[evaluator]") {
    const auto model = tinyModel();
    Evaluator ev(model);
    const std::string primer = "Q: What is two and two?\nA: Four.\n\nQ: Name a colour.\nA: Blue.\n\nQ: ";
    const std::vector<ChoiceSet> sets = {
        choiceSet(primer + "Where is Paris?\nA:", {"In France.", "On the Moon, under a rock.", "X"}, 0),
        choiceSet(primer + "What do bees make?\nA:", {"Honey", "Cars and very large trucks", "Silence"}, 0),
        choiceSet(primer + "What do bees make?\nA:", {"Honey", "Wax"}, 0),  // same context: all of it reused but one token
        choiceSet("Unrelated start.\nA:", {"yes", "no"}, 0),                // no common prefix: cache reset
    };
    for (const auto& s : sets) {
        const auto req = ev.tokenize(s);
        const auto got = ev.loglikelihoods(req, {});
        REQUIRE(got.size() == s.choices.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            CHECK(got[i] == Approx(referenceLoglik(*model, req.context, req.continuations[i])).margin(2e-4));
            CHECK(got[i] < 0.0);
        }
    }
}

TEST_CASE("log-likelihoods with skipped blocks follow the what-if forward", "[evaluator]") {
    const auto model = tinyModel();
    Evaluator ev(model);
    const auto req = ev.tokenize(choiceSet("The sky is", {"blue today", "green"}, 0));
    const auto dense = ev.loglikelihoods(req, {});
    const auto pruned = ev.loglikelihoods(req, {1});
    torch::InferenceMode guard;
    const auto skip = model::skipMask(model->info().hparams.layers, {1});
    std::vector<std::int64_t> seq(req.context.begin(), req.context.end());
    seq.insert(seq.end(), req.continuations[0].begin(), req.continuations[0].end());
    const auto ids = torch::tensor(seq, torch::kInt64).unsqueeze(0);
    model::ForwardOptions fo;
    fo.skip = &skip;
    const auto logp = torch::log_softmax(model::forward(modelImpl(*model), ids, torch::ones_like(ids, torch::kBool), fo)[0], -1);
    double expect = 0;
    for (std::size_t j = 0; j < req.continuations[0].size(); ++j) {
        expect += logp[static_cast<std::int64_t>(req.context.size() + j - 1)][req.continuations[0][j]].item<double>();
    }
    CHECK(pruned[0] == Approx(expect).margin(2e-4));
    CHECK(std::abs(pruned[0] - dense[0]) > 1e-3);
    CHECK_THROWS_AS(ev.loglikelihoods(req, {99}), UsageError);
}

TEST_CASE("contexts longer than the model keep their rightmost tokens", "[evaluator]") {
    const auto model = tinyModel();
    Evaluator ev(model);
    const auto ctxLen = static_cast<std::size_t>(model->info().hparams.contextLength);
    LoglikelihoodRequest req;
    for (std::size_t i = 0; i < ctxLen + 40; ++i) req.context.push_back(static_cast<TokenId>(3 + (i * 7) % 200));
    req.continuations = {{5, 6, 7}, {8}};
    const auto got = ev.loglikelihoods(req, {});
    // lm-eval: (context + continuation)[-(max + 1):][:-1], with the longest continuation deciding the cut
    const std::vector<TokenId> kept(req.context.end() - static_cast<std::ptrdiff_t>(ctxLen + 1 - 3), req.context.end());
    CHECK(got[0] == Approx(referenceLoglik(*model, kept, req.continuations[0])).margin(2e-4));
    CHECK(got[1] == Approx(referenceLoglik(*model, kept, req.continuations[1])).margin(2e-4));
    req.continuations = {std::vector<TokenId>(ctxLen + 2, 5)};
    CHECK_THROWS_AS(ev.loglikelihoods(req, {}), UsageError);
}

TEST_CASE("a multiple-choice run scores every item from its log-likelihoods, with records and progress", "[evaluator]") {
    const auto model = tinyModel();
    const auto task = choiceTask();
    Evaluator ev(model);
    EvalOptions o;
    o.records = true;
    o.bootstrapIterations = 200;
    std::int64_t lastDone = 0;
    const auto r = ev.run(task, o, [&](const Progress& p) { lastDone = p.done; });
    CHECK(lastDone == 4);
    REQUIRE(r.items == 4);
    REQUIRE(r.records.size() == 4);
    REQUIRE(r.metrics.size() == 2);
    CHECK(r.metrics[0].name == "acc");
    double acc = 0;
    Evaluator fresh(model);
    for (std::size_t i = 0; i < 4; ++i) {
        const auto ll = fresh.loglikelihoods(fresh.tokenize(task.items[i].sets[0]), {});
        REQUIRE(r.records[i].loglik.size() == 1);
        for (std::size_t c = 0; c < ll.size(); ++c) CHECK(r.records[i].loglik[0][c] == Approx(ll[c]).margin(2e-4));
        acc += argmaxFirst(ll) == static_cast<int>(i) ? 1.0 : 0.0;
    }
    CHECK(r.metrics[0].value == Approx(acc / 4));
    CHECK(r.metrics[0].floor == Approx(0.25));
    CHECK(r.metrics[0].ci.low <= r.metrics[0].value);
    CHECK(r.metrics[0].ci.high >= r.metrics[0].value);

    CancelToken cancel;
    cancel.cancel();
    CHECK_THROWS_AS(ev.run(task, o, {}, &cancel), Cancelled);
    o.batch = 0;
    CHECK_THROWS_AS(ev.run(task, o), UsageError);
}

TEST_CASE("a generation run scores the stripped greedy answer by exact match", "[evaluator]") {
    const auto model = tinyModel();
    TaskData t;
    t.task = "triviaqa";
    t.title = "handmade";
    t.kind = TaskKind::Generation;
    t.stopStrings = {"\n", ".", ","};
    const char* prompts[] = {"Question: Who wrote it?\nAnswer:", "Question: What is it?\nAnswer:", "Question: Why?\nAnswer:"};
    GenerateOptions g;
    g.maxNewTokens = 8;
    g.stopStrings = t.stopStrings;
    for (int i = 0; i < 3; ++i) {
        EvalItem item;
        item.source = "gen:" + std::to_string(i + 1);
        item.prompt = prompts[i];
        const auto out = generate(*model, model->tokenizer().encode(prompts[i]), g);
        std::string answer = out.text;
        while (!answer.empty() && answer.front() == ' ') answer.erase(answer.begin());
        while (!answer.empty() && answer.back() == ' ') answer.pop_back();
        // item 1's reference is the model's own answer in other case: it must match; the others must not
        item.references = {i == 1 ? (answer.empty() ? std::string("") : answer) : std::string("zzz no such answer")};
        t.items.push_back(item);
    }
    Evaluator ev(model);
    EvalOptions o;
    o.maxNewTokens = 8;
    o.batch = 2;
    o.records = true;
    const auto r = ev.run(t, o);
    REQUIRE(r.records.size() == 3);
    CHECK(r.records[1].values[0] == 1.0);
    CHECK(r.records[0].values[0] == 0.0);
    CHECK(r.metrics[0].name == "exact_match");
    CHECK(r.metrics[0].value == Approx(1.0 / 3));
    CHECK(r.metrics[0].floor == 0.0);
}

TEST_CASE("a batch of unrelated requests scores each as alone, in any copy-group size", "[evaluator]") {
    const auto model = tinyModel();
    Evaluator ev(model);
    std::vector<LoglikelihoodRequest> requests;
    for (const auto& s : {choiceSet("A cat sat on the", {"mat", "big red hat today"}, 0),
                          choiceSet("Zebras", {"run.", "x"}, 0),
                          choiceSet("A cat sat on the mat and then", {"slept for a long while", "ran"}, 0),
                          choiceSet("", {"Hello there", "Hi"}, 0)}) {  // empty context: BOS/EOS prefix token
        requests.push_back(ev.tokenize(s));
    }
    const auto& impl = modelImpl(*model);
    for (const std::int64_t budget : {std::int64_t{1}, eval::ChoiceScorer::kDefaultCopyBudget}) {  // one row per group, or all
        eval::ChoiceScorer scorer(impl, model::skipMask(impl.hp.layers, {}), budget);
        const auto got = scorer.score(requests);
        REQUIRE(got.size() == requests.size());
        for (std::size_t r = 0; r < requests.size(); ++r) {
            auto context = requests[r].context;
            if (context.empty()) context.push_back(model->tokenizer().bosId() >= 0 ? model->tokenizer().bosId() : model->tokenizer().eosId());
            for (std::size_t c = 0; c < got[r].size(); ++c) {
                CHECK(got[r][c] == Approx(referenceLoglik(*model, context, requests[r].continuations[c])).margin(2e-4));
            }
        }
        CHECK(scorer.tokensComputed() > 0);
    }
}

TEST_CASE("a perplexity run is the windowed perplexity of the text, with an interval over windows", "[evaluator]") {
    const auto model = tinyModel();
    TaskData t;
    t.task = "perplexity";
    t.title = "handmade";
    t.kind = TaskKind::Perplexity;
    t.file = "builtin";
    EvalOptions o;
    o.window = 64;
    o.maxTokens = 512;
    o.batch = 1000;  // capped at 8192 tokens per pass: the numbers do not depend on it
    Evaluator ev(model);
    const auto r = ev.run(t, o);
    PerplexityOptions p;
    p.window = 64;
    p.maxTokens = 512;
    const auto tokens = tokenizeCorpus(model->tokenizer(), openCorpus("builtin"), 512).tokens;
    const auto expect = perplexity(*model, tokens, p);
    REQUIRE(r.metrics.size() == 1);
    CHECK(r.metrics[0].name == "perplexity");
    CHECK(r.metrics[0].value == Approx(expect.perplexity).epsilon(1e-6));
    CHECK(r.metrics[0].floor == model->tokenizer().vocabSize());
    CHECK_FALSE(r.metrics[0].higherIsBetter);
    CHECK(r.items == expect.windows);
    CHECK(r.metrics[0].ci.low < r.metrics[0].value);
    CHECK(r.metrics[0].ci.high > r.metrics[0].value);
}

TEST_CASE("perplexity puts BOS before each window exactly when the tokenizer adds one, unless told", "[evaluator]") {
    const auto plain = tinyModel();  // its tokenizer adds no BOS
    test::TempDir dir;
    const auto withBosFile = test::rewriteGguf(std::string(AVSS_TEST_DATA_DIR) + "/tiny_llama.gguf", dir.path() / "bos.gguf",
                                               [](io::GgufWriter& w, const io::GgufFile&) { w.setBool("tokenizer.ggml.add_bos_token", true); });
    const auto bosModel = Model::load(withBosFile, LoadOptions{Device::Cpu});
    REQUIRE_FALSE(plain->tokenizer().prependsBos());
    REQUIRE(bosModel->tokenizer().prependsBos());
    const auto tokens = tokenizeCorpus(plain->tokenizer(), openCorpus("builtin"), 256).tokens;
    PerplexityOptions o;
    o.window = 64;
    o.maxTokens = 256;

    const auto noBos = perplexity(*plain, tokens, o);
    CHECK_FALSE(noBos.bos);
    CHECK(noBos.predictedTokens == noBos.windows * 63);  // the first token of a window is context only
    const auto ruled = perplexity(*bosModel, tokens, o);
    CHECK(ruled.bos);
    CHECK(ruled.predictedTokens == ruled.windows * 64);  // after BOS every window token is predicted

    o.bos = true;  // forced on the plain model: the same weights and inputs as the BOS model's default
    const auto forced = perplexity(*plain, tokens, o);
    CHECK(forced.bos);
    CHECK(forced.meanNll == Approx(ruled.meanNll).epsilon(1e-9));
    o.bos = false;  // and forced off on the BOS model: as the plain model's default
    const auto off = perplexity(*bosModel, tokens, o);
    CHECK_FALSE(off.bos);
    CHECK(off.meanNll == Approx(noBos.meanNll).epsilon(1e-9));
    CHECK(std::abs(ruled.meanNll - noBos.meanNll) > 1e-3);  // BOS changes the numbers: the rule matters
}
