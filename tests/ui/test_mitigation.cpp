// The mitigation panel end to end on a tiny model: find the prone layers (the core's EAVSS ranks,
// top k checked), launch training, live loss points, cancel midway, resume to the end, and the
// held-out before/after table; plus the panel's refusals.
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <catch2/catch.hpp>

#include "job_center.h"
#include "main_window.h"
#include "tiny_fixture.h"
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
