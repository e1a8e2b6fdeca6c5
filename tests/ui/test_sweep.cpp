// The explorer's retention sweep on a tiny model: the curves fill from the core's sweep (one point
// per count, values = avss::sweepRetention), a click on a curve point moves the pruning slider, a
// second sweep (even from a new window) comes from the cell store, and Measure with a task file
// gives the sweep's number for the same removed blocks.
#include <catch2/catch.hpp>

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSlider>
#include <QTest>
#include <cmath>

#include "avss/sweep.h"
#include "export_files.h"
#include "main_window.h"
#include "models/measurement_model.h"
#include "tiny_fixture.h"
#include "widgets/prune_panel.h"
#include "widgets/sweep_chart.h"
#include "widgets/sweep_view.h"
#include "widgets/task_box.h"

using namespace avss::ui;
using avss::ui::test::TinyFixture;
using avss::ui::test::waitUntil;

namespace {

// A text for the "perplexity" task: its score is defined for any model (a tiny random model's
// accuracy on a choice task can be 0, which leaves retention undefined).
QString writeTaskText(const TinyFixture& f) {
    const QString path = toQString(f.dir.path() / "task.txt");
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    for (int i = 0; i < 12; ++i) {
        file.write(QStringLiteral("Sentence %1: the river carries small stones down to the sea, and the sea returns them as sand. ")
                       .arg(i)
                       .toUtf8());
    }
    return path;
}

// Opens the tiny model, analyses it (or takes the analysis from the cache) and loads the task file.
void openWithTask(MainWindow& w, const TinyFixture& f, const QString& taskFile) {
    w.resize(1400, 900);
    w.show();
    w.workspace().setSettings(test::tinySettings());
    w.openModelFile(f.modelPath);
    REQUIRE(waitUntil([&] { return w.workspace().model() && !w.jobs().isBusy(JobKind::Load) && !w.jobs().isBusy(JobKind::Analysis); }));
    if (!w.workspace().hasAnalysis()) {
        w.jobs().analyse(AnalysisMode::CacheFirst);
        REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis); }));
    }
    REQUIRE(w.workspace().hasAnalysis());
    TaskChoice choice;
    choice.name = QStringLiteral("perplexity");
    choice.file = taskFile;
    w.prunePanel().taskBox()->choose(choice);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Task); }));
    REQUIRE(w.workspace().taskData());
}

// Presses Sweep and waits; returns how many partial results the workspace showed on the way.
// The tiny random model is at chance on every task, so "Even at chance" is ticked unless asked not to.
int sweep(MainWindow& w, bool evenAtChance = true) {
    w.prunePanel().sweepView()->atChanceBox()->setChecked(evenAtChance);
    auto* button = w.prunePanel().sweepView()->sweepButton();
    REQUIRE(button->isEnabled());
    int updates = 0;
    QObject context;
    QObject::connect(&w.workspace(), &Workspace::sweepChanged, &context, [&] { updates += w.workspace().sweep() ? 1 : 0; });
    QTest::mouseClick(button, Qt::LeftButton);
    REQUIRE(w.jobs().isBusy(JobKind::Sweep));
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Sweep); }, 300000));
    REQUIRE(w.workspace().sweep());
    return updates;
}

QLineSeries* seriesNamed(SweepChart& chart, const QString& name) {
    for (auto* s : chart.findChild<QChartView*>()->chart()->series()) {
        if (s->name() == name) return qobject_cast<QLineSeries*>(s);
    }
    return nullptr;
}

}  // namespace

TEST_CASE("sweep: the curves fill from the core's sweep, one point per count", "[ui][sweep]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openWithTask(w, f, writeTaskText(f));
    const int updates = sweep(w);
    const auto& result = *w.workspace().sweep();
    CHECK(result.computed > 0);
    CHECK(result.reused == 0);
    CHECK(updates >= static_cast<int>(result.cells.size()));  // redrawn cell by cell, not only at the end

    auto& chart = *w.prunePanel().sweepView()->chart();
    const auto& curves = chart.curves();
    REQUIRE(curves.curves.size() == result.plan.lines.size());
    REQUIRE(result.plan.counts.size() >= 3);
    for (std::size_t line = 0; line < result.plan.lines.size(); ++line) {
        const auto& curve = curves.curves[line];
        INFO("curve " << toUtf8(curve.label));
        REQUIRE(curve.points.size() == result.plan.counts.size());
        for (std::size_t c = 0; c < result.plan.counts.size(); ++c) {
            const auto core = avss::sweepRetention(result, 0, 0, static_cast<int>(line), static_cast<int>(c));
            REQUIRE(core);
            CHECK(curve.points[c].x() == result.plan.counts[c]);
            CHECK(curve.points[c].y() == core->retention);
        }
        if (curve.random) continue;
        CHECK(curve.label == toQString(avss::findMetric(toUtf8(curve.metric)).name));  // the legend names metrics, never ids
        auto* drawn = seriesNamed(chart, curve.label);  // what QtCharts draws, not only the adapter's data
        REQUIRE(drawn);
        CHECK(drawn->count() == static_cast<int>(result.plan.counts.size()));
        CHECK(drawn->at(0) == QPointF(0, 1.0));  // nothing removed: the dense score
    }
    auto* ninety = seriesNamed(chart, QStringLiteral("90 % of dense"));
    REQUIRE(ninety);
    CHECK(ninety->at(0).y() == Approx(0.9));
    REQUIRE(curves.dense);
    CHECK(seriesNamed(chart, QStringLiteral("dense = %1").arg(*curves.dense, 0, 'g', 4)));
    CHECK(seriesNamed(chart, QStringLiteral("chance floor = %1").arg(*curves.floor, 0, 'g', 4)));

    w.prunePanel().slider()->setValue(2);  // the slider's count is marked on the curves
    CHECK(chart.markedCount() == static_cast<int>(w.workspace().plan()->removed.size()));
}

TEST_CASE("sweep: clicking a point on a curve moves the slider to its count", "[ui][sweep]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openWithTask(w, f, writeTaskText(f));
    sweep(w);
    auto& panel = w.prunePanel();
    panel.slider()->setValue(0);
    REQUIRE(panel.slider()->value() == 0);

    auto& chart = *panel.sweepView()->chart();
    const auto& curves = chart.curves().curves;
    // The last metric curve is drawn on top (random seeds beneath), so a click on its point reaches it.
    const auto top = std::find_if(curves.rbegin(), curves.rend(), [](const SweepCurve& c) { return !c.random; });
    REQUIRE(top != curves.rend());
    REQUIRE(top->metric != w.workspace().metric());
    const auto target = std::find_if(top->points.begin(), top->points.end(), [](const QPointF& p) { return p.x() == 2; });
    REQUIRE(target != top->points.end());
    QTest::qWait(100);  // the chart lays out its plot area on the event loop
    const QPoint at = chart.viewportPosition(*target);
    REQUIRE(chart.viewport()->rect().contains(at));
    QTest::mouseClick(chart.viewport(), Qt::LeftButton, {}, at);  // through QtCharts' hit test and the panel's wiring

    CHECK(panel.slider()->value() == 2);
    REQUIRE(w.workspace().plan());
    CHECK(w.workspace().plan()->removed.size() == 2);
    CHECK(w.workspace().rule().kind == avss::RuleKind::Count);
    CHECK(w.workspace().metric() == top->metric);  // the plan is now the clicked curve's
    CHECK(chart.markedCount() == 2);
}

TEST_CASE("sweep: a task at chance stops after the dense cell and the tab says why", "[ui][sweep]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openWithTask(w, f, writeTaskText(f));
    sweep(w, false);
    const auto& result = *w.workspace().sweep();
    CHECK(result.cells.size() == 1);
    CHECK(result.tasks.front().prunedSkipped);
    bool told = false;
    for (auto* label : w.prunePanel().sweepView()->findChildren<QLabel*>()) told |= label->text().contains(QLatin1String("chance"));
    CHECK(told);
}

TEST_CASE("sweep: a cached sweep reopens from the cell store without evaluating", "[ui][sweep]") {
    TinyFixture f;
    const QString taskFile = writeTaskText(f);
    SweepCurves first;
    {
        MainWindow w(f.cacheDir);
        openWithTask(w, f, taskFile);
        sweep(w);
        REQUIRE(w.workspace().sweep()->computed > 0);
        first = w.prunePanel().sweepView()->chart()->curves();
    }
    MainWindow again(f.cacheDir);  // a new window: the analysis and the cells come from the caches
    openWithTask(again, f, taskFile);
    CHECK(again.workspace().analysis().fromCache);
    sweep(again);
    const auto& result = *again.workspace().sweep();
    CHECK(result.computed == 0);
    CHECK(result.reused > 0);
    CHECK(result.reused == static_cast<int>(result.cells.size()));
    const auto& second = again.prunePanel().sweepView()->chart()->curves();
    REQUIRE(second.curves.size() == first.curves.size());
    for (std::size_t i = 0; i < first.curves.size(); ++i) {
        INFO("curve " << toUtf8(first.curves[i].label));
        CHECK(second.curves[i].label == first.curves[i].label);
        CHECK(second.curves[i].points == first.curves[i].points);
    }
    CHECK(second.dense == first.dense);
    // File ▸ Export ▸ Sweep results writes what `avss sweep --out` writes, from the same cells.
    const QString csv = toQString(f.dir.path() / "sweep.csv");
    CHECK(saveSweep(result, csv).isEmpty());
    QFile file(csv);
    REQUIRE(file.open(QIODevice::ReadOnly));
    CHECK(file.readLine().startsWith("task,metric,line,selection,seed,removed_count"));
    CHECK(QString::fromUtf8(file.readAll()).count(QLatin1Char('\n')) == static_cast<int>(avss::sweepRows(result).size()));
    CHECK(saveSweep(result, toQString(f.dir.path() / "sweep.txt")).contains(QLatin1String("unknown output format")));
}

TEST_CASE("sweep: Measure with a task file scores the plan as the sweep does", "[ui][sweep]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openWithTask(w, f, writeTaskText(f));
    sweep(w);
    w.workspace().setMetric(QStringLiteral("bi"));
    w.prunePanel().slider()->setValue(2);
    const auto removed = w.workspace().plan()->removed;
    w.jobs().measure();
    REQUIRE(w.jobs().isBusy(JobKind::Measure));
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Measure); }));

    const auto& points = w.workspace().measurements().points();
    const auto point = std::find_if(points.begin(), points.end(), [](const MeasuredPoint& p) { return p.removed.size() == 2; });
    REQUIRE(point != points.end());
    CHECK(point->isTask());
    CHECK(point->task == QLatin1String("perplexity"));
    CHECK(point->metric == QLatin1String("bi"));
    // The sweep's cell for the same removed blocks holds the same evaluation.
    const auto& result = *w.workspace().sweep();
    auto sorted = removed;
    std::sort(sorted.begin(), sorted.end());
    const auto cell = std::find_if(result.cells.begin(), result.cells.end(), [&](const avss::SweepCell& c) { return c.removed == sorted; });
    REQUIRE(cell != result.cells.end());
    CHECK(point->prunedScore == Approx(cell->metrics.front().value).epsilon(1e-9));
    CHECK(point->retention() == Approx(point->denseScore / point->prunedScore));  // perplexity: dense / pruned
    CHECK(w.prunePanel().measurementModel()->rowCount() == 2);  // the dense point and this one
}
