// The mitigation panel end to end on a tiny model: find the prone layers (the core's EAVSS ranks,
// top k checked), launch training, live loss points, cancel midway, resume to the end, and the
// held-out before/after table; the EAVSS, HSAV and HSS rows the analysis adds to the heatmap, its
// source chooser and column double clicks; plus the panel's refusals.
#include <QCheckBox>
#include <QComboBox>
#include <QPushButton>
#include <QTest>
#include <QSpinBox>
#include <QTableWidget>
#include <catch2/catch.hpp>
#include <cmath>

#include "avss/hallu_scores.h"
#include "avss/hallu_stats.h"
#include "job_center.h"
#include "main_window.h"
#include "tiny_fixture.h"
#include "widgets/heatmap_view.h"
#include "widgets/layer_views.h"
#include "widgets/mitigation_panel.h"
#include "workspace.h"

using namespace avss::ui;
using avss::ui::test::TinyFixture;
using avss::ui::test::waitUntil;

namespace {

// A pairs file in the fixture's folder: `good` questions with one pair each, or a line-2 count mismatch.
QString writePairs(const TinyFixture& f, bool good) {
    std::string text;
    if (good) {
        for (int i = 0; i < 12; ++i) {
            text += "{\"question\": \"question " + std::to_string(i) + "\", \"truthful\": \"yes " + std::to_string(i) +
                    "\", \"hallucinated\": \"no, never at all " + std::to_string(i) + "\"}\n";
        }
    } else {
        text = "{\"question\": \"q\", \"truthful\": \"a\", \"hallucinated\": \"b\"}\n"
               "{\"question\": \"q\", \"truthful\": [\"a\", \"b\"], \"hallucinated\": [\"c\"]}\n";
    }
    const auto path = f.dir.path() / (good ? "pairs.jsonl" : "mismatched.jsonl");
    avss::test::writeText(path, text);
    return toQString(path);
}

void openTiny(MainWindow& w, const TinyFixture& f) {
    w.workspace().setSettings(avss::ui::test::tinySettings());
    w.openModelFile(f.modelPath);
    REQUIRE(waitUntil([&] { return w.workspace().model() && !w.jobs().isBusy(JobKind::Load) && !w.jobs().isBusy(JobKind::Analysis); }));
}

}  // namespace

TEST_CASE("mitigation panel: prone layers, launch, live loss, cancel, resume, before/after table", "[ui][mitigation]") {
    TinyFixture f(4);
    MainWindow w(f.cacheDir);
    auto& panel = w.mitigationPanel();
    CHECK_FALSE(panel.launchButton()->isEnabled());  // no model, no analysis
    openTiny(w, f);
    panel.setPairsFile(writePairs(f, true), QStringLiteral("pairs"));
    panel.analyse();
    REQUIRE(waitUntil([&] { return !panel.isBusy(); }));
    INFO(panel.status().toStdString());
    REQUIRE(panel.layerTable()->rowCount() == 4);
    CHECK(panel.checkedLayers().size() == 1);  // a quarter of 4 layers
    CHECK(panel.launchButton()->isEnabled());
    CHECK_FALSE(panel.resumeButton()->isEnabled());
    // the first row is the core's most prone layer, and the checked one
    CHECK(panel.checkedLayers() == std::vector<int>{panel.layerTable()->item(0, 0)->data(Qt::UserRole).toInt()});

    panel.stepsBox()->setValue(400);
    panel.rateBox()->setValue(1e-4);
    panel.heldOutBox()->setValue(3);
    panel.launch();
    REQUIRE(waitUntil([&] { return panel.lossPoints() >= 3; }));
    panel.cancel();
    REQUIRE(waitUntil([&] { return !panel.isBusy(); }));
    const int stopped = panel.lossPoints();
    CHECK(stopped < 400);
    CHECK(panel.status().contains(QStringLiteral("Cancelled at step")));
    CHECK(panel.resultTable()->rowCount() == 0);
    REQUIRE(panel.resumeButton()->isEnabled());

    panel.stepsBox()->setValue(stopped + 5);
    panel.resume();
    REQUIRE(waitUntil([&] { return !panel.isBusy(); }));
    INFO(panel.status().toStdString());
    CHECK(panel.lossPoints() == stopped + 5);  // resumed where it stopped: no step repeated or lost
    REQUIRE(panel.resultTable()->rowCount() == 3);
    CHECK(panel.resultTable()->item(0, 0)->text().contains(QStringLiteral("preference accuracy")));
    CHECK(panel.resultTable()->horizontalHeaderItem(0)->text().contains(QStringLiteral("pairs")));
    CHECK(panel.status().contains(QStringLiteral("steps")));
}

TEST_CASE("mitigation panel: a bad pairs file fails with the file and line, and nothing trains", "[ui][mitigation]") {
    TinyFixture f(4);
    MainWindow w(f.cacheDir);
    auto& panel = w.mitigationPanel();
    openTiny(w, f);
    panel.setPairsFile(writePairs(f, false), QStringLiteral("pairs"));
    panel.analyse();
    REQUIRE(waitUntil([&] { return !panel.isBusy(); }));
    CHECK(panel.status().contains(QStringLiteral("mismatched.jsonl: line 2")));
    CHECK(panel.layerTable()->rowCount() == 0);
    CHECK_FALSE(panel.launchButton()->isEnabled());
}

TEST_CASE("heatmap: a hallucination analysis adds the core's EAVSS, HSAV and HSS rows, chosen by source", "[ui][mitigation][heatmap]") {
    TinyFixture f(4);
    MainWindow w(f.cacheDir);
    auto& panel = w.mitigationPanel();
    auto* heatmap = w.views().heatmap();
    auto* chooser = w.views().hallucinationChooser();
    openTiny(w, f);
    CHECK(heatmap->grid().rowOf(QStringLiteral("hallu/eavss")) < 0);
    CHECK_FALSE(chooser->isVisibleTo(&w));  // nothing to choose yet

    const QString pairsFile = writePairs(f, true);
    panel.setPairsFile(pairsFile, QStringLiteral("pairs"));
    panel.analyse();
    REQUIRE(waitUntil([&] { return !panel.isBusy(); }));
    REQUIRE(w.workspace().hallucinationSources() == QStringList{QStringLiteral("pairs.jsonl (pairs)")});
    CHECK(chooser->currentText() == QStringLiteral("pairs.jsonl (pairs)"));
    CHECK(chooser->isVisibleTo(&w));

    // The rows carry the core's numbers for these pairs, computed here without the cache.
    avss::PairSpec spec;
    spec.file = avss::ui::toPath(pairsFile);
    spec.format = avss::PairFormat::Pairs;
    const auto expected = avss::scoreHallucination(avss::collectHalluStats(*w.workspace().model(), avss::loadPairs(spec), {}));
    const auto& grid = heatmap->grid();
    const int eavss = grid.rowOf(QStringLiteral("hallu/eavss")), hsav = grid.rowOf(QStringLiteral("hallu/hsav")), hss = grid.rowOf(QStringLiteral("hallu/hss"));
    REQUIRE(eavss >= 0);
    REQUIRE(hsav == eavss + 1);
    REQUIRE(hss == eavss + 2);
    CHECK(grid.layers == 4);
    const auto& row = grid.rows[static_cast<std::size_t>(eavss)];
    CHECK(row.isHallucination);
    CHECK_FALSE(row.isMetric);
    CHECK(row.label.contains(QStringLiteral("pairs.jsonl")));
    for (int l = 0; l < 4; ++l) {
        const auto i = static_cast<std::size_t>(l);
        CHECK(row.values[i] == Approx(expected.eavss.layers[i].value).epsilon(1e-9));
        CHECK(row.rank[i] == expected.eavss.layers[i].rank);
        CHECK(grid.rows[static_cast<std::size_t>(hsav)].values[i] == Approx(expected.hsav->layers[i].value).epsilon(1e-9));
        CHECK(grid.rows[static_cast<std::size_t>(hss)].values[i] == Approx(expected.hss->layers[i].value).epsilon(1e-9));
    }
    // Bright = more prone: the rank-0 layer has the highest colour position of the row.
    const auto top = static_cast<std::size_t>(expected.eavss.pruneOrder.front());
    CHECK(row.normalised[top] == Approx(1.0));

    // Moving onto a hallucination row keeps the pruning metric.
    const QString metric = w.workspace().metric();
    heatmap->setFocus();
    for (int i = 0; i < static_cast<int>(grid.rows.size()); ++i) QTest::keyClick(heatmap, Qt::Key_Down);
    CHECK(heatmap->currentRow() == static_cast<int>(grid.rows.size()) - 1);
    CHECK(w.workspace().metric() == metric);

    // Double-clicking a column toggles that layer for training.
    const auto before = panel.checkedLayers();
    const int other = before.front() == 0 ? 1 : 0;
    Q_EMIT heatmap->layerActivated(other);
    auto withOther = before;
    withOther.push_back(other);
    std::sort(withOther.begin(), withOther.end());
    CHECK(panel.checkedLayers() == withOther);
    Q_EMIT heatmap->layerActivated(other);
    CHECK(panel.checkedLayers() == before);

    // The chooser: none hides the rows, the source brings them back; a new model drops the sources.
    chooser->setCurrentIndex(0);
    CHECK(w.workspace().hallucinationSource().isEmpty());
    CHECK(heatmap->grid().rowOf(QStringLiteral("hallu/eavss")) < 0);
    chooser->setCurrentIndex(1);
    CHECK(heatmap->grid().rowOf(QStringLiteral("hallu/eavss")) >= 0);
    w.workspace().setModel(nullptr, QString());
    CHECK(w.workspace().hallucinationSources().isEmpty());
    CHECK(heatmap->grid().rowOf(QStringLiteral("hallu/eavss")) < 0);
    CHECK_FALSE(chooser->isVisibleTo(&w));
}

TEST_CASE("mitigation panel: the what-if task before and after without training questions, and the tuned model compared", "[ui][mitigation][heatmap]") {
    TinyFixture f(4);
    MainWindow w(f.cacheDir);
    auto& panel = w.mitigationPanel();
    openTiny(w, f);
    w.jobs().analyse(AnalysisMode::CacheFirst);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis) && w.workspace().hasAnalysis(); }));
    CHECK_FALSE(panel.scoreTaskBox()->isEnabled());  // held-out perplexity is no benchmark

    const auto nq = f.dir.path() / "nq.jsonl";  // "question 0" is a training question (even): left out
    avss::test::writeText(nq, "{\"question\": \"question 0\", \"answer\": [\"yes 0\"]}\n{\"question\": \"another one\", \"answer\": [\"no\"]}\n");
    TaskChoice choice;
    choice.name = QStringLiteral("nq_open");
    choice.file = toQString(nq);
    choice.limit = 10;
    w.workspace().setTaskChoice(choice);
    REQUIRE(panel.scoreTaskBox()->isEnabled());
    CHECK(panel.scoreTaskBox()->text().contains(QStringLiteral("nq_open")));
    panel.scoreTaskBox()->setChecked(true);

    panel.setPairsFile(writePairs(f, true), QStringLiteral("pairs"));
    panel.analyse();
    REQUIRE(waitUntil([&] { return !panel.isBusy(); }));
    for (int l : panel.checkedLayers()) panel.toggleLayer(l);
    panel.toggleLayer(3);  // only the last layer trains: layers 0–2 keep their weights
    REQUIRE(panel.checkedLayers() == std::vector<int>{3});
    CHECK_FALSE(panel.compareButton()->isEnabled());  // nothing tuned yet
    panel.stepsBox()->setValue(3);
    panel.rateBox()->setValue(1e-2);
    panel.heldOutBox()->setValue(3);
    panel.launch();
    REQUIRE(waitUntil([&] { return !panel.isBusy(); }));
    INFO(panel.status().toStdString());
    REQUIRE(panel.resultTable()->rowCount() == 4);
    CHECK(panel.resultTable()->item(3, 0)->text() == QStringLiteral("nq_open exact_match (1 items)"));
    CHECK(panel.resultTable()->item(3, 1)->text().contains(QStringLiteral("[")));  // value [95% interval]

    REQUIRE(panel.compareButton()->isEnabled());
    panel.compare();
    REQUIRE(waitUntil([&] { return !panel.isBusy(); }));
    const auto* tuned = w.workspace().comparison();
    REQUIRE(tuned != nullptr);
    CHECK(tuned->halluSource == QStringLiteral("pairs.jsonl (pairs)"));
    REQUIRE(tuned->hallu != nullptr);
    auto* heatmap = w.views().heatmap();
    CHECK(w.views().sideChooser()->isVisibleTo(&w));
    CHECK(heatmap->side() == HeatmapSide::Difference);
    const auto& grid = heatmap->grid();
    REQUIRE_FALSE(grid.rows.empty());
    bool changed = false;
    for (const auto& row : grid.rows) {
        CHECK(row.isDifference);
        CHECK(row.label.startsWith(QStringLiteral("Δ ")));
        changed = changed || (std::isfinite(row.values[3]) && row.values[3] != 0.0);
    }
    CHECK(changed);  // the trained layer moved
    // The first row is a component (raw per-layer statistics): for the untouched layers 0–2 the
    // tuned model's values are the original's, bit for bit.
    REQUIRE_FALSE(grid.rows.front().isMetric);
    REQUIRE_FALSE(grid.rows.front().isHallucination);
    for (int l = 0; l < 3; ++l) {
        CHECK(grid.rows.front().values[static_cast<std::size_t>(l)] == 0.0);
        CHECK(grid.rows.front().normalised[static_cast<std::size_t>(l)] == 0.5);  // unchanged = the middle colour
    }
    w.views().sideChooser()->setCurrentIndex(static_cast<int>(HeatmapSide::Original));
    CHECK(heatmap->side() == HeatmapSide::Original);
    const auto original = heatmap->grid().rows.front().values;
    w.views().sideChooser()->setCurrentIndex(static_cast<int>(HeatmapSide::Tuned));
    CHECK_FALSE(heatmap->grid().rows.front().isDifference);
    const auto tunedValues = heatmap->grid().rows.front().values;
    for (int l = 0; l < 3; ++l) CHECK(tunedValues[static_cast<std::size_t>(l)] == original[static_cast<std::size_t>(l)]);
    CHECK(tunedValues[3] != original[3]);

    w.workspace().clearAnalysis();  // the comparison belonged to that analysis
    CHECK(w.workspace().comparison() == nullptr);
    CHECK(heatmap->side() == HeatmapSide::Original);
}
