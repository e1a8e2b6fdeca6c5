// Measured importance on the tiny reference model (3 blocks): leave-one-out equals perplexity with the
// block alone skipped minus dense; SLEB's steps equal brute force over single blocks and pairs;
// iterative selection starts where the one-shot metric does and re-scores the pruned network, whose
// statistics equal those of the exported pruned model; limits, bad options, cancel; the conversion
// into LayerScores, plans and reports.
#include "support/torch_catch.h"  // torch first, then Catch's CHECK (not glog's)

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "analysis/pruned_stats.h"
#include "avss/collect.h"
#include "avss/corpus.h"
#include "avss/corpus_tokens.h"
#include "avss/error.h"
#include "avss/measured_importance.h"
#include "avss/perplexity.h"
#include "avss/prune_export.h"
#include "avss/score_report.h"
#include "support/temp_dir.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

std::shared_ptr<const Model> tinyModel() {  // fp32 weights, CPU, one thread: deterministic passes
    static const auto m = [] {
        setComputeThreads(1);
        return Model::load(std::string(AVSS_TEST_DATA_DIR) + "/tiny_llama.gguf", LoadOptions{Device::Cpu});
    }();
    return m;
}

const Corpus& calibration() {
    static const auto c = loadCorpus("builtin");
    return c;
}

MeasuredOptions smallOptions() {  // 4 windows of 64 tokens, 2 per pass
    MeasuredOptions o;
    o.tokens = 256;
    o.window = 64;
    o.batch = 2;
    return o;
}

MeasuredOptions unprotected(int maxRemoved) {
    auto o = smallOptions();
    o.protectFirst = o.protectLast = false;
    o.maxRemoved = maxRemoved;
    return o;
}

// The reference: perplexity() itself on the same tokens and windows.
double nllWithout(const std::vector<int>& skipped) {
    const auto o = smallOptions();
    const auto tokens = tokenizeCorpus(tinyModel()->tokenizer(), calibration(), o.tokens).tokens;
    PerplexityOptions po;
    po.window = o.window;
    po.maxTokens = o.tokens;
    po.batch = o.batch;
    po.skipLayers = skipped;
    return perplexity(*tinyModel(), tokens, po).meanNll;
}

MeasuredImportance measureOne(const std::string& id, const MeasuredOptions& o) {
    return measureImportance(*tinyModel(), calibration(), {id}, o).front();
}

CollectOptions iterativeCollect(const MeasuredOptions& o) {  // what iterative selection collects with
    CollectOptions co;
    co.sequenceLength = o.window;
    co.maxTokens = o.tokens;
    co.batchSize = o.batch;
    co.shards = 1;
    co.settings = o.settings;
    return co;
}

int lowestAllowed(const LayerScores& s, const std::vector<int>& kept) {  // first block in prune order
    return kept.at(static_cast<std::size_t>(s.pruneOrder.front()));
}

}  // namespace

TEST_CASE("leave-one-out: each block's value is the perplexity with it alone skipped minus dense", "[measured][model]") {
    const auto m = measureOne("loo-ppl", smallOptions());
    const double dense = nllWithout({});
    CHECK(m.denseNll == Approx(dense).margin(1e-12));
    REQUIRE(m.steps.size() == 3);
    for (const auto& s : m.steps) {
        const double alone = nllWithout({s.layer});
        CHECK(s.nll == Approx(alone).margin(1e-12));
        CHECK(s.value == Approx(alone - dense).margin(1e-12));
        CHECK(s.value != 0);  // skipping a block changes the model
    }
    for (std::size_t i = 1; i < m.steps.size(); ++i) CHECK(m.steps[i - 1].value <= m.steps[i].value);  // least important first
    CHECK(m.forwardPasses == 4);
    CHECK(m.reusedPasses == 0);
    CHECK(m.windows == 4);
    CHECK(m.window == 64);
    CHECK(m.tokens == 256);

    const auto scores = measuredLayerScores(m);
    CHECK(scores.metric == "loo-ppl");
    CHECK(scores.pruneOrder == m.removalOrder());
    for (const auto& s : m.steps) CHECK(scores.layers[static_cast<std::size_t>(s.layer)].value == s.value);
    CHECK(scores.layers[static_cast<std::size_t>(m.steps.front().layer)].rank == 0);
    CHECK_FALSE(scores.stability.applicable);
}

TEST_CASE("sleb: the first pick is the argmin of leave-one-out, the second the argmin over pairs with it", "[measured][model]") {
    const auto m = measureOne("sleb", unprotected(2));
    int first = -1;
    double best = std::numeric_limits<double>::infinity();
    for (int l = 0; l < 3; ++l) {
        const double v = nllWithout({l});
        if (v < best) first = l, best = v;
    }
    int second = -1;
    double pairBest = std::numeric_limits<double>::infinity();
    for (int l = 0; l < 3; ++l) {
        if (l == first) continue;
        const double v = nllWithout({first, l});
        if (v < pairBest) second = l, pairBest = v;
    }
    REQUIRE(m.steps.size() == 2);
    CHECK(m.steps[0].layer == first);
    CHECK(m.steps[0].nll == Approx(best).margin(1e-12));
    CHECK(m.steps[1].layer == second);
    CHECK(m.steps[1].nll == Approx(pairBest).margin(1e-12));
    CHECK(m.steps[1].value == Approx(pairBest - nllWithout({})).margin(1e-12));
    CHECK(m.forwardPasses == 1 + 3 + 2);
    CHECK(m.reusedPasses == 0);

    // After leave-one-out in the same call, SLEB's dense and single-block passes are not run again.
    const auto both = measureImportance(*tinyModel(), calibration(), {"loo-ppl", "sleb"}, unprotected(2));
    CHECK(both[1].removalOrder() == m.removalOrder());
    CHECK(both[1].reusedPasses == 4);

    const auto scores = measuredLayerScores(m);  // value = removal step; the unreached block last
    CHECK(scores.layers[static_cast<std::size_t>(first)].value == 0);
    CHECK(scores.layers[static_cast<std::size_t>(second)].value == 1);
    CHECK(scores.pruneOrder == std::vector<int>{first, second, 3 - first - second});
    CHECK(std::isnan(scores.layers[static_cast<std::size_t>(3 - first - second)].value));
    CHECK_THAT(scores.warnings.front(), Contains("never removed"));
}

TEST_CASE("sleb and iterative respect the protected ends and the removal limit", "[measured][model]") {
    const auto guarded = measureImportance(*tinyModel(), calibration(), {"sleb", "iterative:bi"}, smallOptions());
    for (const auto& m : guarded) {
        CHECK(m.maxRemoved == 1);  // ⌊3 / 2⌋, and only block 1 may go
        CHECK(m.removalOrder() == std::vector<int>{1});
    }
    auto o = smallOptions();
    o.maxRemoved = 2;
    CHECK_THROWS_WITH(measureOne("sleb", o), Contains("cannot remove 2 of 3 blocks"));
    o = unprotected(3);
    CHECK(measureOne("sleb", o).steps.size() == 3);
}

TEST_CASE("measured importance: bad requests fail before any pass", "[measured][model]") {
    int passes = 0;
    const ProgressFn count = [&](const Progress&) { ++passes; };
    const auto fails = [&](const std::vector<std::string>& ids, const MeasuredOptions& o, const std::string& what) {
        CHECK_THROWS_WITH(measureImportance(*tinyModel(), calibration(), ids, o, count), Contains(what));
        CHECK_THROWS_WITH(checkMeasuredRequest(tinyModel()->info(), ids, o), Contains(what));
    };
    fails({}, smallOptions(), "no measured metric");
    fails({"sleeb"}, smallOptions(), "unknown measured metric 'sleeb'");
    fails({"bi"}, smallOptions(), "unknown measured metric 'bi'");
    fails({"iterative:random"}, smallOptions(), "unknown measured metric");  // order independent of the data
    fails({"sleb", "sleb"}, smallOptions(), "requested twice");
    auto o = smallOptions();
    o.maxRemoved = 0;
    fails({"sleb"}, o, "removal limit");
    o.maxRemoved = -2;
    fails({"sleb"}, o, "removal limit");
    o = smallOptions();
    o.window = 1;
    fails({"loo-ppl"}, o, "window");
    o = smallOptions();
    o.tokens = 32;
    fails({"loo-ppl"}, o, "fewer than one window");
    o = smallOptions();
    o.batch = 0;
    fails({"loo-ppl"}, o, "batch");
    o = smallOptions();
    o.window = o.tokens = 512;
    fails({"loo-ppl"}, o, "exceeds the model's context length 256");
    o = smallOptions();
    o.settings.absThresholds = {1e-3};
    fails({"iterative:avss-paper"}, o, "avss-paper needs the absolute near-zero threshold 1e-05");
    CHECK(passes == 0);

    Corpus shortText;
    shortText.name = "short";
    shortText.format = "text";
    shortText.documents = {"too short for a window"};
    shortText.fingerprint = "fp-short";
    CHECK_THROWS_WITH(measureImportance(*tinyModel(), shortText, {"loo-ppl"}, smallOptions()),
                      Contains("short") && Contains("fewer than one calibration window of 64"));
}

TEST_CASE("measured importance reports progress per pass and stops on cancel", "[measured][model]") {
    std::vector<Progress> seen;
    const auto m = measureImportance(*tinyModel(), calibration(), {"sleb"}, unprotected(2),
                                     [&](const Progress& p) { seen.push_back(p); });
    REQUIRE(seen.size() == static_cast<std::size_t>(m.front().forwardPasses));
    CHECK(seen.back().stage == "sleb");
    CHECK(seen.back().unit == "passes");
    CHECK(seen.back().done == seen.back().total);

    for (const std::string id : {"loo-ppl", "sleb", "iterative:bi"}) {
        CancelToken token;
        int reports = 0;
        const ProgressFn cancelAfterFirst = [&](const Progress&) {
            ++reports;
            token.cancel();
        };
        CHECK_THROWS_AS(measureImportance(*tinyModel(), calibration(), {id}, unprotected(2), cancelAfterFirst, &token), Cancelled);
        CHECK(reports == 1);
    }
}

TEST_CASE("iterative: the first pick is the one-shot metric's lowest block, then the pruned network is re-scored", "[measured][model]") {
    const auto o = unprotected(2);
    const auto co = iterativeCollect(o);
    const auto dense = collectStats(*tinyModel(), calibration(), co);
    for (const std::string metric : {"bi", "angular", "avss-mlp-hoyer"}) {
        INFO(metric);
        const auto m = measureOne("iterative:" + metric, o);
        REQUIRE(m.steps.size() == 2);
        const auto oneShot = scoreLayers(dense, metric);
        CHECK(m.steps[0].layer == lowestAllowed(oneShot, {0, 1, 2}));
        CHECK(m.steps[0].value == oneShot.layers[static_cast<std::size_t>(oneShot.pruneOrder.front())].value);
        std::vector<int> kept;
        for (int l = 0; l < 3; ++l) {
            if (l != m.steps[0].layer) kept.push_back(l);
        }
        const auto pruned = analysis::collectPrunedStats(*tinyModel(), calibration(), co, {m.steps[0].layer});
        CHECK(m.steps[1].layer == lowestAllowed(scoreLayers(pruned, metric), kept));
    }
}

TEST_CASE("statistics with a block skipped equal those of the exported pruned model", "[measured][model][stats]") {
    test::TempDir dir;
    CollectOptions co;
    co.sequenceLength = 64;
    co.maxTokens = 512;
    co.shards = 2;
    const auto dense = collectStats(*tinyModel(), calibration(), co).merged();
    for (const int removed : {0, 1, 2}) {  // the first block too: the pruned network's h_0 is then block 1's input
        INFO("block " << removed << " removed");
        const auto skipped = analysis::collectPrunedStats(*tinyModel(), calibration(), co, {removed});
        ExportOptions eo;
        eo.selfCheck = false;
        const auto file = exportPrunedModel(*tinyModel(), {removed}, dir.path() / ("pruned" + std::to_string(removed) + ".gguf"), eo).path;
        const auto exported = collectStats(*Model::load(file, LoadOptions{Device::Cpu}), calibration(), co);
        REQUIRE(skipped.layerCount() == 2);
        CHECK_THAT(skipped.provenance.warnings.back(), Contains("block " + std::to_string(removed) + " was skipped"));
        const auto a = skipped.merged(), b = exported.merged();
        REQUIRE(a.layers.size() == 2);
        for (std::size_t l = 0; l < 2; ++l) {
            INFO("layer " << l);
            CHECK(a.layers[l].blockOut.tokens == b.layers[l].blockOut.tokens);
            CHECK(a.layers[l].blockOut.channelVariance() == Approx(b.layers[l].blockOut.channelVariance()).epsilon(1e-6));
            CHECK(a.layers[l].mlpAct.channelVariance() == Approx(b.layers[l].mlpAct.channelVariance()).epsilon(1e-6));
            CHECK(a.layers[l].transition.cosSum == Approx(b.layers[l].transition.cosSum).epsilon(1e-6));  // BI: actual input → output
        }
        REQUIRE(a.spans.states == 3);
        REQUIRE(a.spans.sequences == b.spans.sequences);
        for (int i = 0; i < 3; ++i) {
            for (int j = i + 1; j < 3; ++j) CHECK(a.spans.meanAngle(i, j) == Approx(b.spans.meanAngle(i, j)).epsilon(1e-6));
        }
        // The block after the gap reads another input now, so its BI changes; a block before it does not.
        if (removed < 2) {
            const auto after = static_cast<std::size_t>(removed);  // its place among the remaining blocks
            CHECK(a.layers[after].transition.cosSum != Approx(dense.layers[after + 1].transition.cosSum).epsilon(1e-6));
        }
        if (removed > 0) CHECK(a.layers[0].transition.cosSum == Approx(dense.layers[0].transition.cosSum).epsilon(1e-9));
    }
}

TEST_CASE("measured scores in plans and reports", "[measured][pruning]") {
    MeasuredImportance m;
    m.metric = "sleb";
    m.layerCount = 6;
    m.maxRemoved = 2;
    m.steps = {{3, 2.1, 0.1}, {2, 2.3, 0.3}};
    CHECK(findMetric("sleb").name == "SLEB greedy removal");
    CHECK(findMetric("iterative:bi").measured == findMetric("bi").measured);
    CHECK_FALSE(metricUnavailableReason("loo-ppl", StatsSettings{}).empty());

    PruningRule rule;
    rule.kind = RuleKind::Count;
    rule.count = 2;
    const auto plan = planMeasuredPruning(m, rule);
    CHECK(plan.removed == std::vector<int>{3, 2});
    CHECK(plan.notes.empty());
    rule.count = 3;
    CHECK_THROWS_WITH(planMeasuredPruning(m, rule), Contains("sleb removed 2 blocks") && Contains("needs more"));
    rule.count = 1;
    rule.protectFirst = false;
    CHECK_THAT(planMeasuredPruning(m, rule).notes.front(), Contains("measured with first and last blocks protected"));
    rule.kind = RuleKind::Mass;
    CHECK_THROWS_WITH(planMeasuredPruning(m, rule), Contains("not amounts"));
    CHECK_THROWS_WITH(planPruning(measuredLayerScores(m), rule), Contains("not amounts"));

    ScoreReport report;
    report.provenance.layerCount = 6;
    ScoreReportOptions options;
    options.rule.kind = RuleKind::Count;
    options.rule.count = 2;
    addMeasured(report, {m}, options);
    REQUIRE(report.scores.size() == 1);
    CHECK(report.plans.front().removed == std::vector<int>{3, 2});
    CHECK(report.agreement.metrics == std::vector<std::string>{"sleb"});
    const auto json = nlohmann::json::parse(scoreReportJson(report));
    CHECK(json["measured"][0]["removal_order"] == std::vector<int>{3, 2});
    CHECK(json["metrics"][0]["id"] == "sleb");
    options.rule.kind = RuleKind::Mass;  // no mass plan for measured values, and no error
    addMeasured(report, {m}, options);
    CHECK(report.plans.size() == 1);
    m.layerCount = 5;
    CHECK_THROWS_WITH(addMeasured(report, {m}, options), Contains("measured on 5 blocks"));
}
