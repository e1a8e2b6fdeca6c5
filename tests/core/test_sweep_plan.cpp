// Sweeps without a model: default counts, which blocks each metric's line removes, retention and
// the mean over tasks on hand-made cells, the rows, CSV, JSON and SVG made from them, and the cell
// store's rules (round trip, another identity, damaged and foreign files).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "avss/error.h"
#include "avss/sweep.h"
#include "support/temp_dir.h"
#include "sweep/cell_store.h"
#include "test_stats_fixtures.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

// BI = 1 − cos: block 3 least influential, then 1, then 2 (blocks 0 and 5 protected by default).
ActivationStats sixBlocks() {
    std::vector<test::LayerSpec> layers(6);
    const double cos[] = {0.5, 0.95, 0.9, 0.99, 0.6, 0.7};
    for (int l = 0; l < 6; ++l) layers[static_cast<std::size_t>(l)].cos = cos[l];
    return test::handStats(layers);
}

MetricSummary summary(const std::string& name, double value, double floor, bool higher = true) {
    MetricSummary m;
    m.name = name;
    m.value = value;
    m.floor = floor;
    m.ci = {value - 0.01, value + 0.01};
    m.higherIsBetter = higher;
    return m;
}

// Two tasks (accuracy with floor 0.25; perplexity with floor 300), two lines, counts {0, 2}.
SweepResult handResult() {
    SweepResult r;
    r.plan.layers = 6;
    r.plan.counts = {0, 2};
    SweepLine a;
    a.metric = "bi";
    a.removed = {std::vector<int>{}, std::vector<int>{1, 3}};
    a.unavailable = {"", ""};
    SweepLine b;
    b.metric = "random";
    b.random = true;
    b.seed = 7;
    b.removed = {std::vector<int>{}, std::vector<int>{2, 4}};
    b.unavailable = {"", ""};
    r.plan.lines = {a, b};
    SweepTaskInfo acc;
    acc.task = "sciq";
    acc.title = "SciQ";
    acc.metrics = {"acc"};
    acc.higherIsBetter = {true};
    SweepTaskInfo ppl;
    ppl.task = "perplexity";
    ppl.title = "Perplexity";
    ppl.metrics = {"perplexity"};
    ppl.higherIsBetter = {false};
    r.tasks = {acc, ppl};
    auto cell = [&](int task, std::vector<int> removed, MetricSummary m) {
        SweepCell c;
        c.task = task;
        c.removed = std::move(removed);
        c.metrics = {std::move(m)};
        r.cells.push_back(c);
        return static_cast<int>(r.cells.size()) - 1;
    };
    const int d0 = cell(0, {}, summary("acc", 0.85, 0.25));
    const int a0 = cell(0, {1, 3}, summary("acc", 0.70, 0.25));
    const int b0 = cell(0, {2, 4}, summary("acc", 0.40, 0.25));
    const int d1 = cell(1, {}, summary("perplexity", 20.0, 300.0, false));
    const int a1 = cell(1, {1, 3}, summary("perplexity", 25.0, 300.0, false));
    r.cellOf = {{{d0, a0}, {d0, b0}}, {{d1, a1}, {d1, -1}}};  // random's pruned perplexity cell missing
    return r;
}

}  // namespace

TEST_CASE("sweep: default counts are 0, 10, 20, 25, 30, 40 and 50 % of the layers, within the removable blocks") {
    CHECK(defaultSweepCounts(30) == std::vector<int>{0, 3, 6, 7, 9, 12, 15});
    CHECK(defaultSweepCounts(10) == std::vector<int>{0, 1, 2, 3, 4, 5});
    CHECK(defaultSweepCounts(3) == std::vector<int>{0, 1});
    CHECK(defaultSweepCounts(2) == std::vector<int>{0});                    // both blocks protected
    CHECK(defaultSweepCounts(2, false, false) == std::vector<int>{0, 1});
    CHECK(sweepCellStore("/c/analyses/0a1b.h5") == std::filesystem::path("/c/analyses/0a1b.cells"));
    CHECK(sweepCellStore({}).empty());
    const auto metrics = defaultSweepMetrics();
    CHECK(metrics.front() == "avss-paper");
    CHECK(std::count(metrics.begin(), metrics.end(), "random") == 1);
    CHECK(std::count(metrics.begin(), metrics.end(), "bi") == 1);
}

TEST_CASE("sweep: each line removes its metric's count-rule plan; random gets a line per seed") {
    SweepPlanOptions o;
    o.metrics = {"bi", "reverse", "random"};
    o.counts = {2, 0, 1, 2};  // sorted, repeats dropped
    o.randomSeeds = {1, 2};
    const auto plan = planSweep(sixBlocks(), {}, o);
    CHECK(plan.layers == 6);
    REQUIRE(plan.counts == std::vector<int>{0, 1, 2});
    REQUIRE(plan.lines.size() == 4);
    CHECK(plan.lines[0].label() == "bi");
    CHECK(plan.lines[0].removed[0] == std::vector<int>{});
    CHECK(plan.lines[0].removed[1] == std::vector<int>{3});
    CHECK(plan.lines[0].removed[2] == std::vector<int>{1, 3});        // sorted, blocks 0 and 5 never
    CHECK(plan.lines[1].removed[2] == std::vector<int>{3, 4});        // reverse: the last unprotected blocks
    CHECK(plan.lines[2].label() == "random#1");
    CHECK(plan.lines[3].label() == "random#2");
    CHECK(plan.lines[2].removed[2] != plan.lines[3].removed[2]);      // different seeds, different sets (these seeds)
    o.protectFirst = o.protectLast = false;
    o.metrics = {"reverse"};
    o.counts = {6};
    CHECK(planSweep(sixBlocks(), {}, o).lines[0].removed[0] == std::vector<int>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("sweep: bad plans are usage errors before anything runs") {
    SweepPlanOptions o;
    o.metrics = {"bi", "bi"};
    CHECK_THROWS_WITH(planSweep(sixBlocks(), {}, o), Contains("listed twice"));
    o.metrics = {"no-such-metric"};
    CHECK_THROWS_AS(planSweep(sixBlocks(), {}, o), UsageError);
    o.metrics = {"sleb"};
    CHECK_THROWS_WITH(planSweep(sixBlocks(), {}, o), Contains("was not measured"));
    o.metrics = {"bi"};
    o.counts = {5};  // 4 removable of 6
    CHECK_THROWS_WITH(planSweep(sixBlocks(), {}, o), Contains("4 of 6 are removable"));
    o.counts = {-1};
    CHECK_THROWS_AS(planSweep(sixBlocks(), {}, o), UsageError);
    o.counts = {};
    o.metrics = {"random"};
    o.randomSeeds = {};
    CHECK_THROWS_WITH(planSweep(sixBlocks(), {}, o), Contains("seed"));
}

TEST_CASE("sweep: a measured greedy order gives plans up to its steps, and says why not beyond") {
    MeasuredImportance m;
    m.metric = "sleb";
    m.layerCount = 6;
    m.maxRemoved = 1;
    m.steps = {{3, 0.1, 0.1}};
    SweepPlanOptions o;
    o.metrics = {"sleb"};
    o.counts = {0, 1, 2};
    const auto plan = planSweep(sixBlocks(), {m}, o);
    REQUIRE(plan.lines.size() == 1);
    CHECK(plan.lines[0].removed[1] == std::vector<int>{3});
    CHECK_FALSE(plan.lines[0].removed[2].has_value());
    CHECK_THAT(plan.lines[0].unavailable[2], Contains("needs more"));
}

TEST_CASE("sweep: retention is pruned/dense (perplexity dense/pruned), chance-normalised against the floor") {
    const auto r = handResult();
    const auto acc = sweepRetention(r, 0, 0, 0, 1);
    REQUIRE(acc);
    CHECK(acc->retention == Approx(0.70 / 0.85));
    CHECK(acc->normalised == Approx((0.70 - 0.25) / (0.85 - 0.25)));
    CHECK(acc->dense == Approx(0.85));
    const auto ppl = sweepRetention(r, 1, 0, 0, 1);
    REQUIRE(ppl);
    CHECK(ppl->retention == Approx(20.0 / 25.0));
    CHECK(ppl->normalised == Approx((25.0 - 300.0) / (20.0 - 300.0)));
    CHECK(ppl->floorRetention == Approx(20.0 / 300.0));
    CHECK(acc->floorRetention == Approx(0.25 / 0.85));
    CHECK(retentionRatio(0.5, 1.0, true) == 0.5);
    CHECK(retentionRatio(40.0, 20.0, false) == 0.5);
    CHECK(std::isnan(retentionRatio(1.0, 0.0, true)));
    CHECK(sweepRetention(r, 0, 0, 0, 0)->retention == Approx(1.0));
    CHECK_FALSE(sweepRetention(r, 1, 0, 1, 1));                        // cell missing
    CHECK_FALSE(sweepRetention(r, 0, 1, 0, 1));                        // no such metric
    CHECK(*meanRetention(r, 0, 1) == Approx((0.70 / 0.85 + 20.0 / 25.0) / 2));
    CHECK_FALSE(meanRetention(r, 1, 1));                               // one task lacks the cell
    auto chance = r;
    chance.cells[0].metrics[0].value = 0.25;                           // dense at chance, then 0
    chance.cells[1].metrics[0].value = 0.0;
    CHECK(std::isnan(sweepRetention(chance, 0, 0, 0, 1)->normalised));
    chance.cells[0].metrics[0].value = 0.0;
    CHECK(std::isnan(sweepRetention(chance, 0, 0, 0, 1)->retention));
}

TEST_CASE("sweep: a dense score whose interval reaches the floor is at chance; the mean leaves unswept tasks out") {
    CHECK_FALSE(denseAtChance(summary("acc", 0.53, 0.25)));           // [0.52, 0.54] above the floor
    CHECK(denseAtChance(summary("acc", 0.255, 0.25)));                // [0.245, 0.265] reaches it
    CHECK(denseAtChance(summary("acc", 0.10, 0.25)));                 // below chance
    CHECK(denseAtChance(summary("exact_match", 0.0, 0.0)));           // NQ-open of a model that never matches
    CHECK_FALSE(denseAtChance(summary("perplexity", 20.0, 300.0, false)));
    CHECK(denseAtChance(summary("perplexity", 1992.0, 300.0, false))); // worse than a uniform guess
    auto point = summary("acc", 0.26, 0.25);
    point.ci = {std::nan(""), std::nan("")};                          // no interval: the point estimate decides
    CHECK_FALSE(denseAtChance(point));
    point.value = 0.25;
    CHECK(denseAtChance(point));

    auto r = handResult();
    r.tasks[1].atChance = true;                                       // still swept (asked for): still in the mean
    CHECK(*meanRetention(r, 0, 1) == Approx((0.70 / 0.85 + 20.0 / 25.0) / 2));
    r.tasks[1].prunedSkipped = true;                                  // not swept: left out of the mean
    CHECK(*meanRetention(r, 0, 1) == Approx(0.70 / 0.85));
    CHECK(*meanRetention(r, 1, 1) == Approx(0.40 / 0.85));           // its missing cell no longer matters
    const auto meanPlot = sweepPlotSvg(r, SweepPlotOptions{});        // its subtitle names what the mean averages
    CHECK(meanPlot.find("sciq acc; not swept (dense at chance): perplexity") != std::string::npos);
    r.tasks[0].prunedSkipped = true;
    CHECK_FALSE(meanRetention(r, 0, 1));                              // no task left to average
    for (const auto& plot : sweepPlots(r)) CHECK(plot.name.find("perplexity") == std::string::npos);
    const auto doc = nlohmann::json::parse(sweepJson(r));
    CHECK(doc["tasks"][1]["at_chance"] == true);
    CHECK(doc["tasks"][1]["pruned_skipped"] == true);
    CHECK(doc["tasks"][0]["at_chance"] == false);
}

TEST_CASE("sweep: rows, CSV and JSON hold every evaluated cell and the mean rows") {
    const auto r = handResult();
    const auto rows = sweepRows(r);
    // sciq: 2 lines × 2 counts; perplexity: 3 cells (random's pruned one missing); mean: 3.
    REQUIRE(rows.size() == 4 + 3 + 3);
    CHECK(rows[1].task == "sciq");
    CHECK(rows[1].line == "bi");
    CHECK(rows[1].removed == std::vector<int>{1, 3});
    CHECK(rows[1].fraction == Approx(2.0 / 6));
    CHECK(rows[3].line == "random#7");
    CHECK(rows.back().task == "mean");
    CHECK(std::isnan(rows.back().value));
    const auto csv = sweepCsv(r);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 11);
    CHECK_THAT(csv, Contains("sciq,acc,bi,bi,0,2,0.3333333333,1 3,0.7,"));
    const auto doc = nlohmann::json::parse(sweepJson(r));
    CHECK(doc["format"] == "avss-sweep");
    CHECK(doc["rows"].size() == 10);
    CHECK(doc["lines"][1]["label"] == "random#7");
    CHECK(doc["rows"][9]["value"].is_null());
}

TEST_CASE("sweep: the plots draw one line per metric, random seeds as a band, and the 90 % line") {
    auto r = handResult();
    SweepPlotOptions o;
    o.task = 0;
    auto svg = sweepPlotSvg(r, o);
    CHECK_THAT(svg, Contains("<svg"));
    CHECK_THAT(svg, Contains(">bi</text>"));
    CHECK_THAT(svg, Contains("random, mean of seeds"));
    CHECK_THAT(svg, Contains("90 % of dense"));
    CHECK_THAT(svg, Contains("dense acc 0.85, chance 0.25"));
    CHECK(svg.find("<polygon") == std::string::npos);                  // one seed: no band
    auto second = r.plan.lines[1];
    second.seed = 8;
    second.removed[1] = std::vector<int>{1, 2};
    r.plan.lines.push_back(second);
    r.cellOf[0].push_back({0, 0});
    r.cellOf[1].push_back({3, -1});
    svg = sweepPlotSvg(r, o);
    CHECK_THAT(svg, Contains("<polygon"));
    CHECK_THAT(svg, Contains("random, 2 seeds (min–max)"));
    const auto plots = sweepPlots(r);
    REQUIRE(plots.size() == 4);                                        // mean, normalised mean, sciq acc, perplexity
    CHECK(plots[2].name == "retention-sciq-acc");
    o.task = 5;
    CHECK_THROWS_AS(sweepPlotSvg(r, o), UsageError);
    test::TempDir dir;
    writeSweepPlots(dir / "plots", plots);
    CHECK(std::filesystem::exists(dir / "plots" / "retention-mean.svg"));
    writeSweep(dir / "s.csv", r);
    CHECK(std::filesystem::file_size(dir / "s.csv") > 100);
    CHECK_THROWS_AS(writeSweep(dir / "s.txt", r), UsageError);
}

TEST_CASE("sweep cell store: round trip, another identity under the name, damaged and foreign files") {
    test::TempDir dir;
    sweep::CellStore store(dir / "a.cells");
    AnalysisIdentity id("eval-cell");
    id.add("removed", "removed blocks", std::vector<double>{1, 3});
    CHECK_FALSE(store.find(id).cell);
    CHECK(store.find(id).problem.empty());
    sweep::StoredCell cell;
    cell.metrics = {summary("acc", 0.5, 0.25), summary("perplexity", 12.5, 300, false)};
    cell.items = 40;
    cell.seconds = 1.5;
    store.store(id, cell);
    const auto back = store.find(id);
    REQUIRE(back.cell);
    CHECK(back.cell->items == 40);
    REQUIRE(back.cell->metrics.size() == 2);
    CHECK(back.cell->metrics[1].name == "perplexity");
    CHECK(back.cell->metrics[1].value == 12.5);
    CHECK_FALSE(back.cell->metrics[1].higherIsBetter);
    CHECK(back.cell->metrics[0].ci.low == Approx(0.49));

    AnalysisIdentity other("eval-cell");
    other.add("removed", "removed blocks", std::vector<double>{2});
    std::filesystem::copy_file(store.fileOf(id), store.fileOf(other));  // a different cell under other's name
    const auto clash = store.find(other);
    CHECK_FALSE(clash.cell);
    CHECK(clash.replaceable);
    store.store(other, cell);                                          // replaced by the right one
    CHECK(store.find(other).cell);

    const auto bytes = test::readBytes(store.fileOf(id));
    test::writeBytes(store.fileOf(id), std::vector<unsigned char>(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2)));
    const auto damaged = store.find(id);
    CHECK_FALSE(damaged.cell);
    CHECK_FALSE(damaged.replaceable);
    CHECK_THAT(damaged.problem, Contains(store.fileOf(id).string()));
    CHECK_THROWS_AS(store.store(id, cell), IoError);                    // never overwritten
    CHECK(test::readBytes(store.fileOf(id)).size() == bytes.size() / 2);
    test::writeText(store.fileOf(id), "not a cell at all");
    CHECK_FALSE(store.find(id).replaceable);
}
