// Evaluation metrics: acc / acc_norm by characters, MC1 / MC2, exact-match normalisation, WikiQA
// ranking metrics and their chance values (checked by enumeration), bootstrap, summaries, JSON.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include <nlohmann/json.hpp>

#include "avss/error.h"
#include "avss/eval_metrics.h"
#include "avss/eval_result.h"
#include "avss/eval_task.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

std::string fixture(const std::string& name) { return std::string(AVSS_TEST_DATA_DIR) + "/eval/" + name; }

TaskData load(const std::string& task, const std::string& name) {
    TaskSpec spec;
    spec.name = task;
    spec.data = fixture(name);
    return loadTask(spec);
}

ExactMatchRule nqRule() { return load("nq_open", "nq_open.jsonl").exactMatch; }
ExactMatchRule triviaRule() { return load("triviaqa", "triviaqa_hf.jsonl").exactMatch; }

std::vector<double> logs(std::initializer_list<double> p, double shift = 0) {
    std::vector<double> out;
    for (const double v : p) out.push_back(std::log(v) + shift);
    return out;
}

// Every placement of k relevant among n ranks: E[RR] and E[AP] by brute force.
void enumerate(int n, int k, double& rr, double& ap) {
    rr = ap = 0;
    int count = 0;
    for (unsigned mask = 0; mask < (1u << n); ++mask) {
        if (__builtin_popcount(mask) != k) continue;
        ++count;
        int found = 0;
        double sum = 0, first = 0;
        for (int r = 1; r <= n; ++r) {
            if (!(mask >> (r - 1) & 1u)) continue;
            if (found == 0) first = 1.0 / r;
            sum += static_cast<double>(++found) / r;
        }
        rr += first;
        ap += sum / k;
    }
    rr /= count;
    ap /= count;
}

}  // namespace

TEST_CASE("argmaxFirst takes the first of tied maxima, as numpy", "[eval][metrics]") {
    CHECK(argmaxFirst({-3, -1, -1, -2}) == 1);
    CHECK(argmaxFirst({-5}) == 0);
    CHECK(argmaxFirst({-2, -2}) == 0);
    CHECK_THROWS_AS(argmaxFirst({}), UsageError);
}

TEST_CASE("MC1 and MC2 on the TruthfulQA fixture, true MC2 answers in the middle", "[eval][metrics][truthfulqa]") {
    const auto task = load("truthfulqa", "truthfulqa_mc.json");
    const EvalItem& item = task.items.at(0);  // MC2 labels {0, 1, 1, 0}
    // Probabilities 0.1/0.3/0.2/0.4: the true mass is 0.3 + 0.2 = 0.5 by hand; MC1 picks index 0 (gold).
    auto s = scoreItem(task, item, {logs({0.5, 0.3, 0.2}), logs({0.1, 0.3, 0.2, 0.4})});
    REQUIRE(s.values.size() == 2);
    CHECK(s.values[0] == 1.0);
    CHECK(s.values[1] == Approx(0.5).margin(1e-12));
    CHECK(s.floors[0] == Approx(1.0 / 3));
    CHECK(s.floors[1] == Approx(0.5));  // 2 true of 4
    CHECK_FALSE(s.tie);
    // Shifted by −1000 nats plain exp underflows to 0/0; log-sum-exp still gives 0.5.
    CHECK(trueMass(logs({0.1, 0.3, 0.2, 0.4}, -1000), {0, 1, 1, 0}) == Approx(0.5).margin(1e-12));
    CHECK(trueMass({-1, -2, -3}, {1, 0, 0}) == Approx(std::exp(-1) / (std::exp(-1) + std::exp(-2) + std::exp(-3))));
    // MC1 wrong when a false answer scores higher; identical scores tie and go to the gold (index 0).
    s = scoreItem(task, item, {{-3, -1, -2}, {-1, -1, -1, -1}});
    CHECK(s.values[0] == 0.0);
    CHECK(s.values[1] == Approx(0.5));
    s = scoreItem(task, item, {{-2, -2, -2}, {-1, -1, -1, -1}});
    CHECK(s.values[0] == 1.0);
    CHECK(s.tie);
    CHECK_THROWS_AS(scoreItem(task, item, {{-1, -2}, {-1, -1, -1, -1}}), UsageError);  // wrong shape
    CHECK_THROWS_AS(scoreItem(task, item, {{-1, -2, -3}}), UsageError);
}

TEST_CASE("acc_norm divides by the length in characters, not bytes", "[eval][metrics]") {
    TaskData task;
    task.task = "sciq";
    task.kind = TaskKind::MultipleChoice;
    EvalItem item;
    ChoiceSet set;
    set.context = "Question: q\nAnswer:";
    set.choices = {"ééé", "abcd"};  // 3 characters (6 bytes), 4 characters (4 bytes)
    set.labels = {0, 1};
    item.sets.push_back(set);
    // acc: −3.3 > −4.0 picks "ééé"; per character −1.1 < −1.0 picks "abcd" (per byte would be −0.55: "ééé")
    const auto s = scoreItem(task, item, {{-3.3, -4.0}});
    CHECK(s.values == std::vector<double>{0.0, 1.0});
    CHECK(s.floors == std::vector<double>{0.5, 0.5});
}

TEST_CASE("sst2 accuracy and its 50% floor", "[eval][metrics][sst2]") {
    const auto task = load("sst2", "sst2.tsv");
    const auto positive = scoreItem(task, task.items[0], {{-2.0, -0.5}});
    CHECK(positive.values == std::vector<double>{1.0});
    CHECK(positive.floors == std::vector<double>{0.5});
    CHECK(scoreItem(task, task.items[1], {{-2.0, -0.5}}).values == std::vector<double>{0.0});
}

TEST_CASE("exact-match normalisation: articles only for nq_open, and only as written", "[eval][metrics][qa]") {
    const auto nq = nqRule(), trivia = triviaRule();
    CHECK(normaliseForExactMatch("The Beatles", nq) == "beatles");
    CHECK(normaliseForExactMatch("The Beatles", trivia) == "the beatles");
    CHECK(normaliseForExactMatch("THE Beatles", nq) == "the beatles");  // the regex runs before lower-casing
    CHECK(normaliseForExactMatch("Gone with the Wind", nq) == "gone with wind");  // anywhere a word starts
    CHECK(normaliseForExactMatch("Theatre", nq) == "theatre");
    CHECK(normaliseForExactMatch("It's 3.5 (approx.)!", trivia) == "its 35 approx");
    CHECK(normaliseForExactMatch("ÉCOLE Française", trivia) == "école française");
    CHECK(normaliseForExactMatch("  spaced  ", trivia) == "  spaced  ");  // only the prediction is stripped

    CHECK(exactMatch("The Beatles", {"Beatles"}, nq));
    CHECK_FALSE(exactMatch("The Beatles", {"Beatles"}, trivia));
    CHECK_FALSE(exactMatch("THE Beatles", {"Beatles"}, nq));
    CHECK(exactMatch("  Mary Shelley.\n", {"mary shelley"}, nq));
    CHECK_FALSE(exactMatch("not Mark Twain", {"Mark Twain"}, trivia));  // no substring credit
    CHECK(exactMatch("beatles", {"The Beatles", "Beatles"}, trivia));   // any alias
    CHECK_FALSE(exactMatch("beatles", {"The Beatles"}, trivia));
    CHECK(exactMatch("\xE2\x80\x83Jupiter\n", {"jupiter"}, trivia));    // str.strip() takes U+2003 too
    CHECK(exactMatch("Jupiter \xE3\x80\x80", {"jupiter"}, trivia));       // and a trailing U+3000
    CHECK_FALSE(exactMatch("Jupiter", {}, trivia));
    CHECK(exactMatch("caf\xC3", {"caf\xEF\xBF\xBD"}, ExactMatchRule{false, false, {}}));  // a cut character is U+FFFD

    ExactMatchRule bad;
    bad.regexesToIgnore = {"(unclosed"};
    CHECK_THROWS_WITH(normaliseForExactMatch("x", bad), Contains("(unclosed"));
    ExactMatchRule empties;
    empties.regexesToIgnore = {"x*"};
    CHECK(normaliseForExactMatch("axxbx", empties) == "ab");  // empty matches delete nothing and end
}

TEST_CASE("exact match scores a generation item after stripping it", "[eval][metrics][qa]") {
    const auto nq = load("nq_open", "nq_open.jsonl");
    const EvalItem& beatles = nq.items.at(1);  // references {"The Beatles"}
    auto s = scoreItem(nq, beatles, {}, " Beatles");
    CHECK(s.values == std::vector<double>{1.0});
    CHECK(s.floors == std::vector<double>{0.0});
    CHECK(scoreItem(nq, beatles, {}, " the rolling stones").values == std::vector<double>{0.0});
    const auto trivia = load("triviaqa", "triviaqa_official.json");
    CHECK(scoreItem(trivia, trivia.items.at(0), {}, " beatles").values == std::vector<double>{1.0});
    CHECK(scoreItem(trivia, trivia.items.at(1), {}, "AU ").values == std::vector<double>{1.0});
}

TEST_CASE("WikiQA AP, RR and P@1 on hand-computed rankings", "[eval][metrics][wikiqa]") {
    const std::vector<int> rel = {0, 1, 0, 1};
    // Order 1, 2, 0, 3: relevant at ranks 1 and 4 → AP = (1/1 + 2/4)/2 = 0.75, RR = 1, P@1 = 1.
    auto r = rankCandidates({0.5, 2.0, 1.0, -1.0}, rel);
    CHECK(r.averagePrecision == Approx(0.75));
    CHECK(r.reciprocalRank == Approx(1.0));
    CHECK(r.precisionAt1 == 1.0);
    // Order 0, 2, 1, 3: ranks 3 and 4 → AP = (1/3 + 2/4)/2 = 5/12, RR = 1/3, P@1 = 0.
    r = rankCandidates({3, 1, 2, 0}, rel);
    CHECK(r.averagePrecision == Approx(5.0 / 12));
    CHECK(r.reciprocalRank == Approx(1.0 / 3));
    CHECK(r.precisionAt1 == 0.0);
    // All tied: the file order stands, ranks 2 and 4 → AP = (1/2 + 2/4)/2 = 0.5, RR = 0.5.
    r = rankCandidates({1, 1, 1, 1}, rel);
    CHECK(r.averagePrecision == Approx(0.5));
    CHECK(r.reciprocalRank == Approx(0.5));
    CHECK_THROWS_AS(rankCandidates({1, 2}, {0, 0}), UsageError);
    CHECK_THROWS_AS(rankCandidates({1, 2}, {1}), UsageError);

    const auto task = load("wikiqa", "wikiqa.tsv");
    const EvalItem& bees = task.items.at(0);  // relevance {0, 1, 0, 1}
    // loglik(yes) − loglik(no) = 0.5, 2.0, 1.0, −1.0: the first ranking above
    const auto s = scoreItem(task, bees, {{-1.0, -1.5}, {-0.5, -2.5}, {-1.0, -2.0}, {-2.0, -1.0}});
    REQUIRE(s.values.size() == 3);
    CHECK(s.values[0] == Approx(0.75));
    CHECK(s.values[1] == Approx(1.0));
    CHECK(s.values[2] == 1.0);
    CHECK(s.floors[0] == Approx(expectedAveragePrecisionExact(4, 2)));
    CHECK(s.floors[1] == Approx(expectedReciprocalRank(4, 2)));
    CHECK(s.floors[2] == Approx(0.5));
    CHECK_FALSE(s.tie);
    CHECK(scoreItem(task, bees, {{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}}).tie);
}

TEST_CASE("expected RR and AP of a random ranking match enumeration", "[eval][metrics][wikiqa]") {
    for (int n = 1; n <= 9; ++n) {
        for (int k = 1; k <= n; ++k) {
            double rr = 0, ap = 0;
            enumerate(n, k, rr, ap);
            INFO("n = " << n << ", k = " << k);
            CHECK(expectedReciprocalRank(n, k) == Approx(rr).epsilon(1e-12));
            CHECK(expectedAveragePrecisionExact(n, k) == Approx(ap).epsilon(1e-12));
        }
    }
    CHECK(expectedReciprocalRank(4, 1) == Approx((1 + 0.5 + 1.0 / 3 + 0.25) / 4));  // H_4 / 4 by hand
    CHECK(expectedAveragePrecision(9, 3, 20000, 7) == Approx(expectedAveragePrecisionExact(9, 3)).margin(0.01));
    CHECK(expectedAveragePrecision(9, 3, 2000, 7) == expectedAveragePrecision(9, 3, 2000, 7));
    const double big = expectedReciprocalRank(120, 3);  // long products stay finite and in range
    CHECK(std::isfinite(big));
    CHECK(big > 3.0 / 120);
    CHECK(big < 1.0);
    CHECK_THROWS_AS(expectedReciprocalRank(3, 0), UsageError);
    CHECK_THROWS_AS(expectedReciprocalRank(3, 4), UsageError);
}

TEST_CASE("bootstrap intervals are deterministic and sensible", "[eval][metrics][bootstrap]") {
    const std::vector<double> same(50, 0.7);
    const Interval flat = bootstrapMeanInterval(same, 500, 3);
    CHECK(flat.low == flat.high);
    CHECK(flat.low == Approx(0.7).margin(1e-12));

    std::vector<double> coin(100, 0.0);
    std::fill(coin.begin(), coin.begin() + 30, 1.0);  // mean 0.3; normal approximation ±0.09
    const Interval a = bootstrapMeanInterval(coin, 2000, 1234);
    const Interval b = bootstrapMeanInterval(coin, 2000, 1234);
    CHECK(a.low == b.low);
    CHECK(a.high == b.high);
    CHECK(a.low < 0.3);
    CHECK(a.high > 0.3);
    CHECK(a.low > 0.18);
    CHECK(a.high < 0.42);
    CHECK(a.high - a.low > 0.12);
    CHECK(a.high - a.low < 0.25);
    std::vector<double> roots;
    for (int i = 0; i < 20; ++i) roots.push_back(std::sqrt(i));
    const Interval seed1 = bootstrapMeanInterval(roots, 200, 1), seed2 = bootstrapMeanInterval(roots, 200, 2);
    CHECK((seed1.low != seed2.low || seed1.high != seed2.high));  // the seed is used
    // Pinned: the draw is our own rejection sampler on mt19937_64, the same on every standard library.
    const Interval pinned = bootstrapMeanInterval({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 200, 42);
    CHECK(pinned.low == Approx(2.6975).margin(1e-12));
    CHECK(pinned.high == Approx(6.0).margin(1e-12));

    const Interval point = bootstrapMeanInterval({1, 2, 3}, 0);
    CHECK(point.low == Approx(2.0));
    CHECK(point.high == Approx(2.0));
    CHECK_THROWS_AS(bootstrapMeanInterval({}, 100), UsageError);
}

TEST_CASE("summaries: mean, floor, stderr and interval per metric; perplexity", "[eval][metrics]") {
    const auto task = load("truthfulqa", "truthfulqa_mc.json");
    std::vector<ItemScore> scores = {{{1, 0.6}, {0.25, 0.5}, false}, {{0, 0.2}, {0.5, 0.5}, true}, {{1, 0.7}, {0.25, 0.25}, false}};
    const auto summary = summariseItems(task, scores, 300, 5);
    REQUIRE(summary.size() == 2);
    CHECK(summary[0].name == "mc1");
    CHECK(summary[0].value == Approx(2.0 / 3));
    CHECK(summary[0].floor == Approx(1.0 / 3));
    CHECK(summary[0].stderrMean == Approx(std::sqrt(1.0 / 3) / std::sqrt(3.0)));  // sample sd of {1,0,1} is sqrt(1/3)
    CHECK(summary[0].higherIsBetter);
    CHECK(summary[0].ci.low <= summary[0].value);
    CHECK(summary[0].ci.high >= summary[0].value);
    CHECK(summary[1].name == "mc2");
    CHECK(summary[1].value == Approx(0.5));
    CHECK(summary[1].floor == Approx(1.25 / 3));
    CHECK(summariseItems(task, {scores[0]}, 10)[0].stderrMean == 0.0);
    scores[1].values.pop_back();
    CHECK_THROWS_AS(summariseItems(task, scores, 10), UsageError);

    const auto ppl = summarisePerplexity({2.0, 2.0, 2.0}, 49152, 100);
    CHECK(ppl.name == "perplexity");
    CHECK(ppl.value == Approx(std::exp(2.0)));
    CHECK(ppl.floor == 49152);
    CHECK_FALSE(ppl.higherIsBetter);
    CHECK(ppl.ci.low == Approx(std::exp(2.0)));
    CHECK(ppl.ci.high == Approx(std::exp(2.0)));
    const auto spread = summarisePerplexity({1.0, 2.0, 3.0, 2.5}, 100, 500);
    CHECK(spread.value == Approx(std::exp(2.125)));
    CHECK(spread.ci.low < spread.value);
    CHECK(spread.ci.high > spread.value);
}

TEST_CASE("the result document has a fixed shape", "[eval][metrics][json]") {
    EvalResult r;
    r.task = "truthfulqa";
    r.title = "TruthfulQA (MC1/MC2)";
    r.format = "truthfulqa-mc-json";
    r.dataFile = "mc_task.json";
    r.model = "tiny.gguf";
    r.skipLayers = {3, 5};
    r.items = 2;
    r.rowsRead = 3;
    r.skipped = {{"mc_task.json: record 3", "MC1 has 2 true answers"}};
    r.ties = 1;
    MetricSummary mc1{"mc1", 0.5, 0.25, {0.2, 0.8}, 0.1, true};
    MetricSummary ppl{"perplexity", 12.5, 49152, {11, 14}, 0.5, false};
    r.metrics = {mc1, ppl};
    r.notes = {"790 questions (2025 revision), harness has 817"};
    r.seconds = 1.5;
    r.bootstrapIterations = 1000;
    auto doc = nlohmann::ordered_json::parse(toJson(r));
    std::vector<std::string> keys;
    for (const auto& [key, value] : doc.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"task", "title", "format", "data_file", "model", "skip_layers", "items",
                                           "rows_read", "skipped", "ties", "metrics", "notes", "seconds",
                                           "bootstrap_iterations"});
    CHECK(doc["skip_layers"] == nlohmann::ordered_json::array({3, 5}));
    CHECK(doc["skipped"][0]["where"] == "mc_task.json: record 3");
    CHECK(doc["metrics"][0]["name"] == "mc1");
    CHECK(doc["metrics"][0]["ci_low"] == 0.2);
    CHECK(doc["metrics"][0]["stderr"] == 0.1);
    CHECK(doc["metrics"][0]["chance_normalised"].get<double>() == Approx((0.5 - 0.25) / 0.75));
    CHECK(doc["metrics"][1]["higher_is_better"] == false);
    CHECK(doc["metrics"][1]["chance_normalised"].is_null());

    r.records = {{"mc_task.json: record 1", {1.0, NAN}, {{-1.0, -INFINITY}}, "", true}};
    doc = nlohmann::ordered_json::parse(toJson(r, -1));
    REQUIRE(doc.contains("records"));
    CHECK(doc["records"][0]["values"]["mc1"] == 1.0);
    CHECK(doc["records"][0]["values"]["perplexity"].is_null());
    CHECK(doc["records"][0]["loglik"][0][1].is_null());
    CHECK(doc["records"][0]["tie"] == true);
    r.records[0].generation = "caf\xC3";  // invalid UTF-8 from a model is replaced, not thrown on
    CHECK_NOTHROW(toJson(r));
    CHECK(r.metric("mc1") != nullptr);
    CHECK(r.metric("mc1")->value == 0.5);
    CHECK(r.metric("acc") == nullptr);
}
