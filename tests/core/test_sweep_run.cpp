// runSweep on the tiny reference model (3 blocks): every cell equals `Evaluator::run` with its set
// skipped, sets shared by lines are evaluated once, the cell store makes a second sweep evaluate
// nothing, a cancelled sweep resumes from its stored cells, and a damaged cell is neither used nor
// replaced.
#include "support/torch_catch.h"  // torch first, then Catch's CHECK (not glog's)

#include "avss/collect.h"
#include "avss/corpus.h"
#include "avss/error.h"
#include "avss/evaluator.h"
#include "avss/sweep.h"
#include "support/temp_dir.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

std::shared_ptr<const Model> tinyModel() {
    static const auto m = [] {
        setComputeThreads(1);
        return Model::load(std::string(AVSS_TEST_DATA_DIR) + "/tiny_llama.gguf", LoadOptions{Device::Cpu});
    }();
    return m;
}

const ActivationStats& tinyStats() {
    static const auto s = [] {
        CollectOptions co;
        co.sequenceLength = 32;
        co.maxTokens = 256;
        co.shards = 2;
        return collectStats(*tinyModel(), loadCorpus("builtin"), co);
    }();
    return s;
}

std::vector<TaskData> tasks() {
    TaskSpec sciq;
    sciq.name = "sciq";
    sciq.data = std::string(AVSS_TEST_DATA_DIR) + "/eval/sciq_allenai.json";
    TaskSpec ppl;
    ppl.name = "perplexity";
    ppl.data = "builtin";
    return {loadTask(sciq), loadTask(ppl)};
}

SweepPlan plan() {
    SweepPlanOptions o;
    o.metrics = {"bi", "reverse", "random"};
    o.randomSeeds = {1, 2};
    o.counts = {0, 1, 2};
    o.protectFirst = o.protectLast = false;
    return planSweep(tinyStats(), {}, o);
}

SweepOptions options(const std::filesystem::path& store) {
    SweepOptions o;
    o.eval.window = 64;
    o.eval.maxTokens = 512;
    o.eval.bootstrapIterations = 50;
    o.cellStore = store;
    o.evaluateAtChance = true;  // a random tiny model is at chance on every task
    return o;
}

}  // namespace

TEST_CASE("sweep run: each cell is the Evaluator's result with that set skipped; shared sets run once") {
    test::TempDir dir;
    const auto p = plan();
    int callbacks = 0;
    const auto r = runSweep(*tinyModel(), tasks(), p, options(dir / "a.cells"), {}, nullptr,
                            [&](const SweepResult& sofar, int index) {
                                ++callbacks;
                                CHECK(index == static_cast<int>(sofar.cells.size()) - 1);
                            });
    std::set<std::vector<int>> distinct;
    for (const auto& line : p.lines) {
        for (const auto& set : line.removed) distinct.insert(*set);
    }
    CHECK(r.computed == static_cast<int>(2 * distinct.size()));  // per task, each set once; dense shared by all lines
    CHECK(r.reused == 0);
    CHECK(callbacks == r.computed);
    Evaluator evaluator(tinyModel());
    const auto ts = tasks();
    for (int t = 0; t < 2; ++t) {
        for (std::size_t l = 0; l < p.lines.size(); ++l) {
            for (std::size_t c = 0; c < p.counts.size(); ++c) {
                const auto* cell = r.cell(t, static_cast<int>(l), static_cast<int>(c));
                REQUIRE(cell);
                CHECK(cell->removed == *p.lines[l].removed[c]);
            }
        }
        auto eo = options({}).eval;
        eo.skipLayers = *p.lines[0].removed[2];
        const auto direct = evaluator.run(ts[static_cast<std::size_t>(t)], eo);
        const auto* cell = r.cell(t, 0, 2);
        REQUIRE(cell->metrics.size() == direct.metrics.size());
        for (std::size_t m = 0; m < direct.metrics.size(); ++m) CHECK(cell->metrics[m].value == Approx(direct.metrics[m].value).epsilon(1e-9));
    }
    CHECK(r.cell(1, 0, 0) == r.cell(1, 3, 0));                  // the dense cell is one cell
    const auto ret = sweepRetention(r, 1, 0, 0, 2);
    REQUIRE(ret);
    CHECK(ret->retention == Approx(ret->dense / r.cell(1, 0, 2)->metrics[0].value));
}

TEST_CASE("sweep run: a second sweep reads every cell from the store; recompute evaluates them again") {
    test::TempDir dir;
    const auto first = runSweep(*tinyModel(), tasks(), plan(), options(dir / "a.cells"));
    const auto second = runSweep(*tinyModel(), tasks(), plan(), options(dir / "a.cells"));
    CHECK(second.computed == 0);
    CHECK(second.reused == first.computed);
    REQUIRE(second.cells.size() == first.cells.size());
    for (std::size_t i = 0; i < first.cells.size(); ++i) {
        CHECK(second.cells[i].fromStore);
        CHECK(second.cells[i].key == first.cells[i].key);
        for (std::size_t m = 0; m < first.cells[i].metrics.size(); ++m) {
            CHECK(second.cells[i].metrics[m].value == first.cells[i].metrics[m].value);
            CHECK(second.cells[i].metrics[m].ci.high == first.cells[i].metrics[m].ci.high);
        }
    }
    CHECK(sweepCsv(second).size() > 0);
    auto o = options(dir / "a.cells");
    o.recompute = true;
    CHECK(runSweep(*tinyModel(), tasks(), plan(), o).computed == first.computed);
    o.recompute = false;
    o.eval.maxTokens = 256;  // another perplexity identity: those cells are new, the SciQ ones are not
    const auto changed = runSweep(*tinyModel(), tasks(), plan(), o);
    CHECK(changed.computed == first.computed / 2);
    CHECK(changed.reused == first.computed / 2);
}

TEST_CASE("sweep run: a cancelled sweep keeps its finished cells and the next one resumes from them") {
    test::TempDir dir;
    CancelToken cancel;
    int seen = 0;
    CHECK_THROWS_AS(runSweep(*tinyModel(), tasks(), plan(), options(dir / "a.cells"), {}, &cancel,
                             [&](const SweepResult&, int) {
                                 if (++seen == 3) cancel.cancel();
                             }),
                    Cancelled);
    const auto resumed = runSweep(*tinyModel(), tasks(), plan(), options(dir / "a.cells"));
    CHECK(resumed.reused == 3);
    CHECK(resumed.computed == static_cast<int>(resumed.cells.size()) - 3);
}

TEST_CASE("sweep run: a damaged cell is a note, evaluated again, and left as it was") {
    test::TempDir dir;
    const auto first = runSweep(*tinyModel(), tasks(), plan(), options(dir / "a.cells"));
    const auto file = dir / "a.cells" / (first.cells[0].key + ".h5");
    REQUIRE(std::filesystem::exists(file));
    test::writeText(file, "damaged");
    const auto again = runSweep(*tinyModel(), tasks(), plan(), options(dir / "a.cells"));
    CHECK(again.computed == 1);
    CHECK_FALSE(again.cells[0].fromStore);
    CHECK(again.cells[0].metrics[0].value == first.cells[0].metrics[0].value);
    REQUIRE_FALSE(again.notes.empty());
    CHECK_THAT(again.notes[0], Contains(file.string()));
    CHECK(test::readBytes(file).size() == 7);
}

TEST_CASE("sweep run: a plan for another layer count and repeated tasks are usage errors") {
    auto p = plan();
    p.layers = 4;
    CHECK_THROWS_AS(runSweep(*tinyModel(), tasks(), p, options({})), UsageError);
    auto twice = tasks();
    twice.push_back(twice[0]);
    CHECK_THROWS_WITH(runSweep(*tinyModel(), twice, plan(), options({})), Contains("listed twice"));
    CHECK_THROWS_AS(runSweep(*tinyModel(), {}, plan(), options({})), UsageError);
}

TEST_CASE("sweep run: a task whose dense model is at chance stops after its dense cell, with a note") {
    test::TempDir dir;
    auto o = options(dir / "a.cells");
    o.evaluateAtChance = false;
    std::vector<Progress> reports;
    const auto r = runSweep(*tinyModel(), tasks(), plan(), o, [&](const Progress& p) {
        if (p.stage == "sweep") reports.push_back(p);
    });
    // The random tiny model: SciQ accuracy 0 (floor 0.25), perplexity far above its vocabulary.
    REQUIRE(r.cells.size() == 2);
    CHECK(r.computed == 2);
    for (int t = 0; t < 2; ++t) {
        INFO("task " << r.tasks[static_cast<std::size_t>(t)].task);
        CHECK(r.tasks[static_cast<std::size_t>(t)].atChance);
        CHECK(r.tasks[static_cast<std::size_t>(t)].prunedSkipped);
        CHECK(r.cells[static_cast<std::size_t>(t)].removed.empty());
        CHECK(r.cell(t, 0, 0) != nullptr);
        CHECK(r.cell(t, 0, 1) == nullptr);
    }
    REQUIRE(r.notes.size() == 2);
    CHECK_THAT(r.notes[0], Contains("sciq: the dense model's acc is 0") && Contains("not distinguishable from chance (0.25)") &&
                               Contains("--sweep-at-chance"));
    REQUIRE_FALSE(reports.empty());
    CHECK(reports.back().done == 2);
    CHECK(reports.back().total == 2);                    // the skipped cells leave the count
    CHECK_FALSE(meanRetention(r, 0, 1));
    // Evaluated anyway on request: the same dense cells from the store, then every pruned one.
    o.evaluateAtChance = true;
    const auto all = runSweep(*tinyModel(), tasks(), plan(), o);
    CHECK(all.reused == 2);
    CHECK(all.cells.size() > 2);
    CHECK(all.tasks[0].atChance);
    CHECK_FALSE(all.tasks[0].prunedSkipped);
    CHECK_THAT(all.notes[0], Contains("evaluated as asked"));
    CHECK(meanRetention(all, 0, 1));
}
