// The metric guide: a meaning, a pruning reading and a known source for every metric the tool
// offers (registry, measured, iterative), the glossary's terms, and well-formed citations.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <set>

#include "avss/error.h"
#include "avss/layer_scores.h"
#include "avss/measured_importance.h"
#include "avss/metric_guide.h"

using namespace avss;

TEST_CASE("every metric has guide text and a known source", "[guide]") {
    std::set<std::string> keys;
    for (const auto& c : citations()) {
        CHECK_FALSE(c.text.empty());
        CHECK((c.arxiv.empty() || c.arxiv.size() == 10));  // "2411.02117"
        CHECK(keys.insert(c.key).second);
    }
    std::vector<std::string> ids = metricIds();
    for (const auto& m : measuredMetricRegistry()) ids.push_back(m.id);
    REQUIRE(ids.size() > 12);
    for (const auto& id : ids) {
        INFO(id);
        const auto g = metricGuide(id);
        CHECK(g.meaning.size() > 20);
        CHECK_FALSE(g.pruning.empty());
        CHECK((g.source.empty() || keys.count(g.source) == 1));
    }
    CHECK(metricGuide("iterative:bi").source == "shortgpt");
    CHECK(metricGuide("avss-paper").source == "avss");
    CHECK_THROWS_AS(metricGuide("no-such-metric"), UsageError);
}

TEST_CASE("the glossary explains the words the explorer uses", "[guide]") {
    std::set<std::string> terms;
    for (const auto& e : glossary()) {
        CHECK_FALSE(e.definition.empty());
        terms.insert(e.term);
    }
    for (const char* t : {"residual stream", "block output (block_out)", "MLP activation (mlp_act)", "sparsity", "Hoyer sparsity",
                          "Kendall τ", "shard"}) {
        CHECK(terms.count(t) == 1);
    }
}

TEST_CASE("the default metric is a statistics metric with its reason and evidence on record", "[guide]") {
    const auto& d = defaultPruneMetric();
    const auto& info = findMetric(d.id);  // registered: the CLI and the explorer can use it without extra passes
    CHECK_FALSE(isMeasuredMetric(d.id));
    CHECK(info.order == PruneOrder::LowFirst);
    CHECK(d.why.find(info.name) != std::string::npos);  // the reason names the metric it is about
    REQUIRE(d.evidence.rfind("docs/results/pruning.md", 0) == 0);
    std::ifstream doc(std::string(AVSS_TEST_DATA_DIR) + "/../../docs/results/pruning.md");
    REQUIRE(doc.good());  // the evidence exists in the repository
    const std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
    CHECK(text.find("`" + d.id + "`") != std::string::npos);  // and says which metric became the default
}
