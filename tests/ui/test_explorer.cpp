// The explorer end to end on a tiny model: open, analyse, heatmap data = the core's scores, the
// slider's highlighted set, cancel leaves the cache as it was, reopen from the cache, event-loop
// stall during an analysis, what-if measurement.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QGuiApplication>
#include <QMessageBox>
#include <QMouseEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <algorithm>
#include <optional>

#include "about.h"
#include "measurement_book.h"
#include "app_options.h"
#include "avss/corpus.h"
#include "avss/layer_scores.h"
#include "avss/metric_guide.h"
#include "avss/prune_export.h"
#include "avss/pruning_plan.h"
#include "avss/stats_cache.h"
#include "avss/version.h"
#include "main_window.h"
#include "metrics_explained.h"
#include "recent_files.h"
#include "models/layer_table_model.h"
#include "stall_monitor.h"
#include "tiny_fixture.h"
#include "util/metric_name.h"
#include "widgets/heatmap_view.h"
#include "widgets/layer_detail.h"
#include "widgets/layer_views.h"
#include "widgets/prune_panel.h"
#include "widgets/score_chart.h"

using namespace avss::ui;
using avss::ui::test::TinyFixture;
using avss::ui::test::waitUntil;

namespace {

// Opens the tiny model with the given settings and waits until the cache lookup answered.
void openTiny(MainWindow& w, const TinyFixture& f, const AnalysisSettings& settings) {
    w.workspace().setSettings(settings);
    w.openModelFile(f.modelPath);
    REQUIRE(waitUntil([&] { return w.workspace().model() && !w.jobs().isBusy(JobKind::Load) && !w.jobs().isBusy(JobKind::Analysis); }));
}

void analyse(MainWindow& w, AnalysisMode mode) {
    w.jobs().analyse(mode);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis); }));
    REQUIRE(w.workspace().hasAnalysis());
}

// The window at 1400 × 900, shown, with the tiny model analysed (from nothing cached when asked).
void showAnalysed(MainWindow& w, const TinyFixture& f, std::optional<bool> expectCached = std::nullopt) {
    w.resize(1400, 900);
    w.show();
    // Keyboard shortcuts need the active window; under a real window manager that is not automatic.
    w.activateWindow();
    REQUIRE(QTest::qWaitForWindowActive(&w));
    openTiny(w, f, test::tinySettings());
    if (expectCached) REQUIRE(w.workspace().hasAnalysis() == *expectCached);
    analyse(w, AnalysisMode::CacheFirst);
}

QByteArray fileBytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

std::vector<int> sorted(std::vector<int> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// Cancels the running analysis from the worker thread after its first batch.
void cancelAfterFirstBatch(MainWindow& w, QObject& context) {
    auto* worker = w.jobs().analysisWorker();
    auto fired = std::make_shared<std::atomic<bool>>(false);
    QObject::connect(worker, &JobWorker::progressed, &context, [worker, fired](const JobProgress& p) {
        if (p.done > 0 && p.done < p.total && !fired->exchange(true)) worker->cancel();
    }, Qt::DirectConnection);
}

}  // namespace

TEST_CASE("explorer: analyse a tiny model; the heatmap shows the core's scores; the slider highlights the plan", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    showAnalysed(w, f, /*expectCached=*/false);
    const auto& analysis = w.workspace().analysis();
    CHECK_FALSE(analysis.fromCache);
    REQUIRE(QFile::exists(analysis.cacheFile));

    // The numbers behind the heatmap equal the core's scores of the statistics stored on disk.
    const auto stored = avss::StatsCache(toPath(analysis.cacheFile)).load();
    const auto& grid = w.views().heatmap()->grid();
    int metricRows = 0;
    for (const auto& info : avss::metricRegistry()) metricRows += info.usesData ? 1 : 0;
    const auto paper = avss::scoreLayers(stored, "avss-paper");
    CHECK(grid.rows.size() == static_cast<std::size_t>(metricRows) + paper.components.size());
    CHECK(grid.layers == 6);
    for (const auto& row : grid.rows) {
        INFO("row " << toUtf8(row.id));
        const auto core = avss::scoreLayers(stored, toUtf8(row.metricId));
        for (int l = 0; l < grid.layers; ++l) {
            const auto i = static_cast<std::size_t>(l);
            double expected = core.layers[i].value;
            if (!row.isMetric) {
                const auto name = toUtf8(row.id.section(QLatin1Char('/'), 1));
                const auto c = std::find_if(core.components.begin(), core.components.end(), [&](const auto& s) { return s.name == name; });
                REQUIRE(c != core.components.end());
                expected = c->values[i];
            }
            CHECK(row.values[i] == Approx(expected).epsilon(1e-12));
            if (row.isMetric) CHECK(row.rank[i] == core.layers[i].rank);
        }
    }

    // Moving the slider re-plans at once and every view marks the same layers.
    auto* slider = w.prunePanel().slider();
    for (int count : {2, 3, 0}) {
        slider->setValue(count);
        avss::PruningRule rule;
        rule.kind = avss::RuleKind::Count;
        rule.count = count;
        const auto expected = avss::planPruning(avss::scoreLayers(stored, toUtf8(w.workspace().metric())), rule).removed;
        INFO("slider at " << count);
        REQUIRE(w.workspace().plan().has_value());
        CHECK(w.workspace().plan()->removed == expected);
        CHECK(sorted(w.views().heatmap()->removedLayers()) == sorted(expected));
        const auto* table = w.views().tableModel();
        for (int l = 0; l < table->rowCount(); ++l) {
            const bool removed = std::find(expected.begin(), expected.end(), l) != expected.end();
            CHECK((table->index(l, LayerTableModel::PlanColumn).data().toString() == QLatin1String("removed")) == removed);
        }
    }

    // Arrow keys move the selected cell; the layer detail follows the workspace.
    auto* heatmap = w.views().heatmap();
    heatmap->setFocus();
    QTest::mouseClick(heatmap, Qt::LeftButton, {}, QPoint(heatmap->width() * 9 / 10, heatmap->height() / 4));
    const int clicked = w.workspace().selectedLayer();
    REQUIRE(clicked >= 0);
    QTest::keyClick(heatmap, clicked < 5 ? Qt::Key_Right : Qt::Key_Left);
    CHECK(w.workspace().selectedLayer() == (clicked < 5 ? clicked + 1 : clicked - 1));
    QTest::keyClick(heatmap, Qt::Key_End);
    CHECK(w.workspace().selectedLayer() == 5);
}

TEST_CASE("explorer: the settings' thread budget reaches the worker threads before any job", "[ui][explorer][threads]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    const auto workerThreads = [&w] {
        int n = 0;
        auto* worker = w.jobs().analysisWorker();
        QMetaObject::invokeMethod(worker, [&n] { n = avss::computeThreads(); }, Qt::BlockingQueuedConnection);
        return n;
    };
    CHECK(workerThreads() == avss::defaultComputeThreads());  // 0 = the start-up budget
    auto settings = test::tinySettings();
    settings.threads = 3;
    w.workspace().setSettings(settings);
    CHECK(workerThreads() == 3);
    settings.threads = 0;
    w.workspace().setSettings(settings);
    CHECK(workerThreads() == avss::defaultComputeThreads());
}

TEST_CASE("explorer: cancelling an analysis midway leaves the cache file as it was", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openTiny(w, f, test::tinySettings());
    QObject context;
    test::GuiThreadCount cancelled(w.jobs().analysisWorker(), &JobWorker::cancelled);

    SECTION("no cache yet: none afterwards") {
        cancelAfterFirstBatch(w, context);
        w.jobs().analyse(AnalysisMode::CacheFirst);
        REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis) && cancelled.count() > 0; }));
        CHECK(cancelled.count() == 1);
        CHECK_FALSE(w.workspace().hasAnalysis());
        CHECK(QDir(f.cacheDir + QStringLiteral("/analyses")).entryList(QDir::Files).isEmpty());
    }
    SECTION("a re-run cancelled midway keeps the old file byte for byte") {
        analyse(w, AnalysisMode::CacheFirst);
        const QString file = w.workspace().analysis().cacheFile;
        const QByteArray before = fileBytes(file);
        REQUIRE_FALSE(before.isEmpty());
        cancelAfterFirstBatch(w, context);
        w.jobs().analyse(AnalysisMode::Recompute);
        REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis) && cancelled.count() > 0; }));
        CHECK(cancelled.count() == 1);
        CHECK(fileBytes(file) == before);
        CHECK(QDir(f.cacheDir + QStringLiteral("/analyses")).entryList(QDir::Files).size() == 1);  // no temporary left
        CHECK(w.workspace().hasAnalysis());  // the earlier results stay on screen
    }
}

TEST_CASE("explorer: a model + data pair analysed before opens from the cache at once", "[ui][explorer]") {
    TinyFixture f;
    QString file;
    std::vector<double> values;
    {
        MainWindow first(f.cacheDir);
        openTiny(first, f, test::tinySettings());
        analyse(first, AnalysisMode::CacheFirst);
        file = first.workspace().analysis().cacheFile;
        values = first.views().heatmap()->grid().rows.front().values;
    }
    MainWindow second(f.cacheDir);
    test::GuiThreadCount progressed(second.jobs().analysisWorker(), &JobWorker::progressed);
    openTiny(second, f, test::tinySettings());  // no Analyse: the cache lookup alone brings the results
    REQUIRE(second.workspace().hasAnalysis());
    const auto& a = second.workspace().analysis();
    CHECK(a.fromCache);
    CHECK(a.cacheFile == file);
    CHECK(progressed.count() == 0);  // the model never ran
    CHECK(a.stats->provenance.schemaVersion > 0);
    CHECK_FALSE(a.stats->provenance.createdUtc.empty());
    CHECK(second.views().heatmap()->grid().rows.front().values == values);

    // Other settings are another cache entry: nothing is shown as if it belonged to them.
    auto other = test::tinySettings();
    other.shards = 2;
    QSignalSpy missing(&second.jobs(), &JobCenter::analysisMissing);
    second.workspace().setSettings(other);
    REQUIRE(waitUntil([&] { return missing.count() > 0; }));
}

TEST_CASE("explorer: the event loop keeps ticking (95% of gaps < 50 ms) while an analysis runs", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    w.resize(1400, 900);
    w.show();
    // Four copies of the built-in text (~70k byte-level tokens); 65,536 of them in windows of 128,
    // one per batch: long enough for a few hundred ticks.
    std::string text;
    for (int i = 0; i < 4; ++i) text += avss::builtinSampleText() + "\n\n";
    avss::test::writeText(f.dir.path() / "long.txt", text);
    w.workspace().setDataSource(DataSource{toQString(f.dir.path() / "long.txt"), QStringLiteral("text")});
    auto settings = test::tinySettings();
    settings.tokens = 65536;
    settings.sequenceLength = 128;
    settings.batchSize = 1;
    openTiny(w, f, settings);
    StallMonitor monitor;
    monitor.start();
    w.jobs().analyse(AnalysisMode::Recompute);
    // 512 batches: ~5 s in Release, over a minute in the ASan build on a loaded machine.
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis); }, 600000));
    monitor.stop();
    REQUIRE(w.workspace().hasAnalysis());
    INFO("gaps: p95 " << monitor.gapPercentileMs(0.95) << " ms, max " << monitor.maxGapMs() << " ms over "
                      << monitor.ticks() << " ticks");
    CHECK(monitor.ticks() >= 20);
    CHECK(monitor.gapPercentileMs(0.95) < 50.0);  // work on the UI thread would delay every batch's tick
    CHECK(monitor.maxGapMs() < 1000.0);           // no single blocking call (one analysis takes seconds)
}

TEST_CASE("explorer: Measure adds a retention point, cached per configuration", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openTiny(w, f, test::tinySettings());
    analyse(w, AnalysisMode::CacheFirst);
    w.prunePanel().slider()->setValue(2);
    const auto removed = sorted(w.workspace().plan()->removed);
    REQUIRE(removed.size() == 2);
    w.jobs().measure();
    REQUIRE(w.jobs().isBusy(JobKind::Measure));
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Measure); }));
    const auto& points = w.workspace().measurements().points();
    REQUIRE(points.size() == 2);  // the dense model (0 removed) and the plan
    const auto plan = std::find_if(points.begin(), points.end(), [](const MeasuredPoint& p) { return !p.removed.empty(); });
    REQUIRE(plan != points.end());
    CHECK(plan->removed == removed);
    CHECK(std::isfinite(plan->retention()));
    CHECK(plan->retention() > 0);
    CHECK(QFile::exists(w.workspace().measurements().file()));

    // The same configuration again: answered from the measurement cache, no job.
    w.jobs().measure();
    CHECK_FALSE(w.jobs().isBusy(JobKind::Measure));
    CHECK(w.workspace().measurements().points().size() == 2);

    // Double-clicking the point in its table restores its plan after the plan moved on.
    const QString measuredMetric = w.workspace().metric();
    const int row = static_cast<int>(plan - points.begin());
    w.workspace().setMetric(QStringLiteral("angular"));
    w.prunePanel().slider()->setValue(0);
    auto* table = w.prunePanel().measurementTable();
    Q_EMIT table->doubleClicked(table->model()->index(row, 0));
    CHECK(w.workspace().metric() == measuredMetric);
    CHECK(sorted(w.workspace().plan()->removed) == removed);
}

TEST_CASE("explorer: a held-out point measured without BOS is not reused for a model that puts BOS first", "[ui][explorer]") {
    QTemporaryDir dir;
    const QString file = dir.filePath("book.json");
    {  // a book written before the held_out_bos field: Measure then never put BOS first
        QFile f(file);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(R"({"version": 1, "points": [{"metric": "bi", "rule": "r", "removed": [2], "dense_nll": 2.0, "pruned_nll": 3.0,
                   "predicted_tokens": 100, "window": 256, "eval_tokens": 1024, "note": "", "measured_utc": "x"}]})");
    }
    MeasurementBook book;
    REQUIRE(book.open(file).isEmpty());
    MeasureSetup noBos{256, 1024, {}, {}, 0, false};
    MeasureSetup withBos = noBos;
    withBos.heldOutBos = true;
    CHECK(book.findRemoved({2}, noBos).has_value());  // a model without BOS (SmolLM2): still valid
    CHECK_FALSE(book.findRemoved({2}, withBos).has_value());  // Gemma: measured again, with BOS
    auto point = *book.findRemoved({2}, noBos);
    point.heldOutBos = true;
    point.prunedNll = 2.5;
    REQUIRE(book.add(point).isEmpty());
    MeasurementBook again;
    REQUIRE(again.open(file).isEmpty());
    REQUIRE(again.findRemoved({2}, withBos).has_value());
    CHECK(again.findRemoved({2}, withBos)->prunedNll == 2.5);
    CHECK(again.findRemoved({2}, noBos)->prunedNll == 3.0);
}

TEST_CASE("explorer: switching the pruning rule keeps the number of removed layers", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openTiny(w, f, test::tinySettings());
    analyse(w, AnalysisMode::CacheFirst);
    w.workspace().setMetric(QStringLiteral("bi"));  // amounts without guarded layers: every size is reachable by mass
    auto& panel = w.prunePanel();
    panel.chooseRule(avss::RuleKind::Count);
    panel.slider()->setValue(3);
    REQUIRE(w.workspace().plan()->removed.size() == 3);
    panel.chooseRule(avss::RuleKind::Mass);
    CHECK(w.workspace().rule().kind == avss::RuleKind::Mass);
    CHECK(w.workspace().plan()->removed.size() == 3);  // no jump to another plan size
    CHECK(panel.slider()->value() == static_cast<int>(std::lround(w.workspace().rule().mass * 100)));
    panel.chooseRule(avss::RuleKind::Count);
    CHECK(panel.slider()->value() == 3);
}

TEST_CASE("explorer: dragging the sorted chart's cut sets the plan's size and keeps the rule", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    showAnalysed(w, f);
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    w.workspace().setMetric(QStringLiteral("bi"));
    auto& panel = w.prunePanel();
    panel.chooseRule(avss::RuleKind::Mass);
    auto& chart = *w.views().chart();
    chart.setSorted(true);
    QApplication::processEvents();  // the chart refresh is coalesced into the next event-loop turn
    REQUIRE(chart.cutX());
    // The bars' middle height: only x picks the line and the count.
    const auto at = [&](double x) { return QPoint(static_cast<int>(chart.chartPosition({x, 0.5}).x()), chart.viewport()->height() / 2); };
    QTest::mousePress(chart.viewport(), Qt::LeftButton, {}, at(*chart.cutX()));
    const QPoint to = at(3.6);  // 4 bars left of it, some of them maybe protected
    QMouseEvent move(QEvent::MouseMove, QPointF(to), chart.viewport()->mapToGlobal(QPointF(to)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(chart.viewport(), &move);
    QTest::mouseRelease(chart.viewport(), Qt::LeftButton, {}, to);
    const auto* scores = w.workspace().scoresFor(QStringLiteral("bi"));
    REQUIRE(scores);
    int expected = 0;
    for (int i = 0; i < 4; ++i) {
        const int layer = scores->pruneOrder[static_cast<std::size_t>(i)];
        expected += layer != 0 && layer != 5 ? 1 : 0;  // blocks 0 and 5 of 6 are protected
    }
    CHECK(w.workspace().rule().kind == avss::RuleKind::Mass);  // the rule stays; its mass moves
    CHECK(static_cast<int>(w.workspace().plan()->removed.size()) == expected);
    QApplication::processEvents();
    REQUIRE(chart.cutX());
    CHECK(*chart.cutX() > 0.5);
}

TEST_CASE("explorer: a typed amount sets the plan: a count, or a mass finer than the slider's steps", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    showAnalysed(w, f);
    w.workspace().setMetric(QStringLiteral("bi"));
    auto& panel = w.prunePanel();
    panel.chooseRule(avss::RuleKind::Count);
    panel.amountBox()->setValue(3);
    CHECK(w.workspace().rule().count == 3);
    CHECK(w.workspace().plan()->removed.size() == 3);
    CHECK(panel.slider()->value() == 3);
    panel.slider()->setValue(2);
    CHECK(panel.amountBox()->value() == 2);  // the box follows the slider
    panel.chooseRule(avss::RuleKind::Mass);
    CHECK(panel.amountBox()->suffix() == QStringLiteral(" %"));
    panel.amountBox()->setValue(12.3);
    CHECK(w.workspace().rule().kind == avss::RuleKind::Mass);
    CHECK(w.workspace().rule().mass == Approx(0.123));
    CHECK(panel.slider()->value() == 12);
}

TEST_CASE("explorer: F1 opens Metrics explained with every metric, the agreement of this analysis, glossary and references", "[ui][explorer][help]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    showAnalysed(w, f);
    QTest::keyClick(&w, Qt::Key_F1);
    auto* page = w.findChild<QDialog*>(QStringLiteral("metricsExplained"));
    REQUIRE(page);
    CHECK(page->isVisible());
    const QString text = page->findChild<QTextBrowser*>()->toPlainText();
    for (const auto& info : avss::metricRegistry()) {
        INFO(info.id);
        CHECK(text.contains(toQString(info.name)));
        CHECK(text.contains(toQString(info.formula)));
    }
    CHECK(text.contains(QStringLiteral("How the metrics agree on this analysis")));
    CHECK(text.contains(QStringLiteral("Kendall τ")));
    CHECK(text.contains(QStringLiteral("residual stream")));
    CHECK(text.contains(QStringLiteral("arXiv:2411.02117")));
    CHECK(text.contains(QStringLiteral("arXiv:2403.03853")));
    page->close();
    // About cites the papers the metrics come from.
    showAboutDialog(&w);
    auto* about = w.findChild<QMessageBox*>();
    REQUIRE(about);
    CHECK(about->text().contains(QStringLiteral("arXiv:2411.10069")));
    REQUIRE(waitUntil([&] { return !about->text().contains(QStringLiteral("measuring")); }));  // its GEMM thread is done
    CHECK(about->text().contains(QStringLiteral("arXiv:2411.10069")));
    about->close();
    // The metric chooser's entries explain themselves.
    auto* metric = w.prunePanel().findChild<QComboBox*>(QStringLiteral("pruneMetric"));
    REQUIRE(metric);
    const int bi = metric->findData(QStringLiteral("bi"));
    REQUIRE(bi >= 0);
    CHECK(metric->itemData(bi, Qt::ToolTipRole).toString().contains(QStringLiteral("1 − mean over tokens of cos(in, out)")));
}

TEST_CASE("explorer: an exported figure carries the model, data, metric, plan and tool version", "[ui][explorer][export]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    showAnalysed(w, f);
    w.workspace().setMetric(QStringLiteral("bi"));
    w.prunePanel().chooseRule(avss::RuleKind::Count);
    w.prunePanel().slider()->setValue(2);
    const QString caption = w.figureCaption();
    CHECK(caption.contains(toQString(w.workspace().model()->info().name)));
    CHECK(caption.contains(QStringLiteral("Block Influence")));
    CHECK(caption.contains(toQString(w.workspace().plan()->description)));
    CHECK(caption.contains(toQString(w.workspace().analysis().stats->provenance.dataName)));
    CHECK(caption.contains(QStringLiteral("AVSS Explorer ") + toQString(avss::versionInfo().avss)));
}

TEST_CASE("explorer: the layer table sorts by any column and keeps the selected layer selected", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openTiny(w, f, test::tinySettings());
    analyse(w, AnalysisMode::CacheFirst);
    auto* view = w.findChild<QTableView*>(QStringLiteral("layerTable"));
    REQUIRE(view != nullptr);
    const auto* scores = w.workspace().scoresFor(w.workspace().metric());
    REQUIRE(scores != nullptr);
    view->sortByColumn(LayerTableModel::Value, Qt::DescendingOrder);
    const auto* model = view->model();
    for (int r = 1; r < model->rowCount(); ++r) {  // by value as a number, not as text
        const auto above = scores->layers[static_cast<std::size_t>(model->index(r - 1, 0).data(Qt::UserRole).toInt())].value;
        const auto below = scores->layers[static_cast<std::size_t>(model->index(r, 0).data(Qt::UserRole).toInt())].value;
        CHECK(above >= below);
    }
    w.workspace().setSelectedLayer(3);
    const auto selected = view->selectionModel()->selectedRows();
    REQUIRE(selected.size() == 1);
    CHECK(selected.front().data(Qt::UserRole).toInt() == 3);
}

TEST_CASE("explorer: the window's Cancel (Esc) stops a Measure; Measure needs a plan", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    CHECK_FALSE(w.measureAction()->isEnabled());  // no model, no plan
    CHECK_FALSE(w.cancelAction()->isEnabled());   // nothing runs
    openTiny(w, f, test::tinySettings());
    analyse(w, AnalysisMode::CacheFirst);
    w.prunePanel().slider()->setValue(2);
    REQUIRE(w.workspace().plan());
    CHECK(w.measureAction()->isEnabled());
    w.jobs().measure();
    REQUIRE(w.jobs().isBusy(JobKind::Measure));
    CHECK(w.cancelAction()->isEnabled());  // not only while an analysis runs
    w.cancelAction()->trigger();
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Measure); }));
    CHECK_FALSE(w.cancelAction()->isEnabled());
}

TEST_CASE("explorer: a folder opened as a model is reported with the core's message", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    QSignalSpy errors(&w.jobs(), &JobCenter::errorRaised);
    w.openModelFile(toQString(f.dir.path()));
    REQUIRE(waitUntil([&] { return errors.count() > 0; }));
    CHECK(errors.front().at(1).toString().contains(toQString(f.dir.path())));
    CHECK_FALSE(w.workspace().model());
    CHECK_FALSE(RecentFiles().list().contains(toQString(f.dir.path())));  // only models that loaded join Open recent
    openTiny(w, f, test::tinySettings());
    CHECK(RecentFiles().list().value(0) == f.modelPath);
}

TEST_CASE("explorer: the heatmap's tool tips name each Gemma 3 block's attention", "[ui][explorer][hf][gemma3]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    w.workspace().setSettings(test::tinySettings());
    w.openModelFile(QStringLiteral(AVSS_TEST_DATA_DIR "/tiny_gemma3_hf"));
    REQUIRE(waitUntil([&] { return w.workspace().model() && !w.jobs().isBusy(JobKind::Load); }));
    analyse(w, AnalysisMode::CacheFirst);
    auto* heatmap = w.views().heatmap();
    REQUIRE(heatmap->grid().layers == 6);
    REQUIRE_FALSE(heatmap->grid().rows.empty());
    CHECK(heatmap->toolTipFor(0, 0).contains(QStringLiteral("attention: sliding window of 8 tokens · RoPE base 10000, scaling none")));
    CHECK(heatmap->toolTipFor(0, 5).contains(QStringLiteral("attention: full causal · RoPE base 1e+06, scaling linear x8")));
    w.openModelFile(QStringLiteral(AVSS_TEST_DATA_DIR "/tiny_qwen2_hf"));  // every block alike: no such line
    REQUIRE(waitUntil([&] { return w.workspace().model() && w.workspace().model()->info().arch == "qwen2" && !w.jobs().isBusy(JobKind::Load); }));
    analyse(w, AnalysisMode::CacheFirst);
    CHECK_FALSE(heatmap->toolTipFor(0, 0).contains(QStringLiteral("attention:")));
}

TEST_CASE("explorer: a Hugging Face folder opens from the File menu's entry and analyses", "[ui][explorer][hf]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    QAction* entry = nullptr;
    for (auto* a : w.menuBar()->actions().front()->menu()->actions()) {
        if (a->text().contains(QStringLiteral("Hugging Face"))) entry = a;
    }
    REQUIRE(entry != nullptr);
    CHECK_FALSE(entry->shortcut().isEmpty());
    const QString folder = QStringLiteral(AVSS_TEST_DATA_DIR "/tiny_qwen2_hf");
    w.workspace().setSettings(test::tinySettings());
    w.openModelFile(folder);  // what the entry's folder chooser calls with the chosen folder
    REQUIRE(waitUntil([&] { return w.workspace().model() && !w.jobs().isBusy(JobKind::Load); }));
    CHECK(w.workspace().model()->info().format == "safetensors");
    CHECK(w.workspace().model()->info().arch == "qwen2");
    analyse(w, AnalysisMode::CacheFirst);
    CHECK(w.views().heatmap()->grid().layers == 2);
    CHECK(RecentFiles().list().value(0) == folder);
    // The layer detail names the layer's traits, as the core reports them.
    w.workspace().setSelectedLayer(1);
    auto* detail = w.findChild<LayerDetail*>();
    REQUIRE(detail != nullptr);
    const auto header = detail->findChild<QLabel*>()->text();
    CHECK(header.contains(QStringLiteral("attention: full causal")));
    CHECK(header.contains(QStringLiteral("RoPE base 1e+06")));
    CHECK(header.contains(QStringLiteral("4 query / 2 key-value heads of 16")));
    // Exporting the plan writes a Hugging Face folder (the core's choice) that loads again.
    CHECK(avss::prunedExportIsFolder(w.workspace().model()->info()));
    auto rule = w.workspace().rule();  // two blocks: the default protection of the first and last would leave none
    rule.kind = avss::RuleKind::Count;
    rule.count = 1;
    rule.protectFirst = rule.protectLast = false;
    w.workspace().setRule(rule);
    REQUIRE(w.workspace().plan());
    REQUIRE(w.workspace().plan()->removed.size() == 1);
    QSignalSpy exported(&w.jobs(), &JobCenter::exported);
    QSignalSpy errors(&w.jobs(), &JobCenter::errorRaised);
    const QString out = toQString(f.dir.path() / "pruned-folder");
    w.jobs().exportModel(out);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Export); }));
    REQUIRE(errors.isEmpty());
    REQUIRE(exported.count() == 1);
    CHECK(exported.front().at(0).value<avss::ExportResult>().selfChecked);
    CHECK(avss::Model::load(toPath(out), avss::LoadOptions{avss::Device::Cpu})->info().hparams.layers == 1);
    // The same plan as a GGUF (the dialog's other file type), converted by the core.
    const QString gguf = toQString(f.dir.path() / "pruned-from-folder.gguf");
    w.jobs().exportModel(gguf, avss::ExportFormat::Gguf);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Export); }));
    REQUIRE(errors.isEmpty());
    REQUIRE(exported.count() == 2);
    CHECK(avss::Model::load(toPath(gguf), avss::LoadOptions{avss::Device::Cpu})->info().format == "gguf");
}

TEST_CASE("explorer: Export pruned model writes a self-checked GGUF without the plan's blocks", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openTiny(w, f, test::tinySettings());
    analyse(w, AnalysisMode::CacheFirst);
    w.prunePanel().slider()->setValue(2);
    const auto removed = sorted(w.workspace().plan()->removed);
    QSignalSpy exported(&w.jobs(), &JobCenter::exported);
    QSignalSpy errors(&w.jobs(), &JobCenter::errorRaised);

    const QString out = toQString(f.dir.path() / "pruned.gguf");
    w.jobs().exportModel(out);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Export); }));
    REQUIRE(exported.count() == 1);
    CHECK(errors.count() == 0);
    const auto result = exported.front().at(0).value<avss::ExportResult>();
    CHECK(result.removed == removed);
    CHECK(result.selfChecked);
    const auto pruned = avss::Model::load(toPath(out), avss::LoadOptions{avss::Device::Cpu});
    CHECK(pruned->info().hparams.layers == 4);

    // The same plan as a Hugging Face folder (the dialog's second file type), written from the GGUF.
    const QString folder = toQString(f.dir.path() / "pruned-hf");
    w.jobs().exportModel(folder, avss::ExportFormat::HfFolder);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Export); }));
    REQUIRE(exported.count() == 2);
    CHECK(exported.back().at(0).value<avss::ExportResult>().selfChecked);
    const auto asFolder = avss::Model::load(toPath(folder), avss::LoadOptions{avss::Device::Cpu});
    CHECK(asFolder->info().format == "safetensors");
    CHECK(asFolder->info().hparams.layers == 4);

    // The source itself as the output is refused by the core, and the refusal reaches the user.
    w.jobs().exportModel(f.modelPath);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Export); }));
    CHECK(exported.count() == 2);
    CHECK(errors.count() == 1);
}

TEST_CASE("explorer: a saved session reopens the model, data, metric and plan", "[ui][explorer]") {
    TinyFixture f;
    const QString sessionFile = toQString(f.dir.path() / "work.avss.json");
    std::vector<int> removed;
    {
        MainWindow first(f.cacheDir);
        openTiny(first, f, test::tinySettings());
        analyse(first, AnalysisMode::CacheFirst);
        first.workspace().setMetric(QStringLiteral("bi"));
        first.prunePanel().slider()->setValue(2);
        first.workspace().setSelectedLayer(3);
        removed = first.workspace().plan()->removed;
        REQUIRE(first.saveSession(sessionFile).isEmpty());
    }
    MainWindow second(f.cacheDir);
    REQUIRE(second.openSession(sessionFile).isEmpty());
    REQUIRE(waitUntil([&] { return second.workspace().hasAnalysis(); }));
    CHECK(second.workspace().analysis().fromCache);
    CHECK(second.workspace().settings() == test::tinySettings());
    CHECK(second.workspace().metric() == QStringLiteral("bi"));
    REQUIRE(second.workspace().plan().has_value());
    CHECK(second.workspace().plan()->removed == removed);
    CHECK(second.prunePanel().slider()->value() == 2);
    CHECK(second.workspace().selectedLayer() == 3);
    CHECK(second.openSession(toQString(f.dir.path() / "missing.avss.json")).contains(QStringLiteral("missing.avss.json")));

    // `avss-explorer --session FILE`, as main() runs it: layout, show, then the command line.
    QString message;
    int exitCode = 0;
    const auto options = parseAppOptions({QStringLiteral("avss-explorer"), QStringLiteral("--session"), sessionFile}, &message, &exitCode);
    REQUIRE(options.has_value());
    MainWindow third(f.cacheDir);
    third.restoreLayout();
    third.show();
    third.openFromCommandLine(*options);
    REQUIRE(waitUntil([&] { return third.workspace().hasAnalysis() && !third.jobs().isBusy(JobKind::Analysis); }));
    CHECK(third.workspace().metric() == QStringLiteral("bi"));
    REQUIRE(third.workspace().plan().has_value());
    CHECK(third.workspace().plan()->removed == removed);
}

TEST_CASE("explorer: the View menu names every panel as its title reads ('Model & data', not a mnemonic)", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    const auto docks = w.findChildren<QDockWidget*>();
    REQUIRE(docks.size() >= 2);
    bool sawAmpersand = false;
    for (const auto* dock : docks) {
        const auto shown = QString(dock->toggleViewAction()->text()).replace(QStringLiteral("&&"), QStringLiteral("\x01"));
        CHECK_FALSE(shown.contains(QLatin1Char('&')));  // no single '&' left: no mnemonic eats a letter
        CHECK(QString(shown).replace(QStringLiteral("\x01"), QStringLiteral("&")) == dock->windowTitle());
        sawAmpersand = sawAmpersand || dock->windowTitle().contains(QLatin1Char('&'));
    }
    CHECK(sawAmpersand);  // the case that was broken is among them
}

TEST_CASE("explorer: a first launch sizes the window from the screen and the docks from the window", "[ui][explorer][layout]") {
    TinyFixture f;
    for (const QSize size : {QSize(1600, 1000), QSize(1024, 700)}) {
        QSettings().clear();  // no saved layout (closing the window saves one): the first-launch path
        MainWindow w(f.cacheDir);
        w.restoreLayout();
        const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
        CHECK(w.width() == std::min(1600, screen.width() * 85 / 100));
        w.resize(size);  // the size a screen of that resolution gives
        w.show();
        const auto* data = w.findChild<QDockWidget*>(QStringLiteral("dataDock"));
        const auto* prune = w.findChild<QDockWidget*>(QStringLiteral("pruneDock"));
        REQUIRE(data != nullptr);
        REQUIRE(prune != nullptr);
        INFO("window " << size.width() << "x" << size.height() << ": data dock " << data->width() << ", what-if dock " << prune->width());
        // Before the fix the docks kept their minimum widths (~60 px) until View > Reset layout.
        REQUIRE(waitUntil([&] { return data->width() >= 240 && prune->width() >= 280; }));
        CHECK(w.centralWidget()->width() >= size.width() / 3);
        const auto* charts = prune->findChild<QTabWidget*>(QStringLiteral("pruneTabs"));
        REQUIRE(charts != nullptr);
        CHECK(charts->height() >= 260);  // the retention chart is never squeezed to its title; the dock scrolls
        w.close();
    }
    QSettings().clear();
}

TEST_CASE("explorer: while the first analysis runs, the empty heatmap says so and shows its progress", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openTiny(w, f, test::tinySettings());
    auto* heatmap = w.views().heatmap();
    CHECK(heatmap->placeholder().isEmpty());  // idle: the default hint
    QStringList seen;
    QObject context;
    QObject::connect(&w.jobs(), &JobCenter::progressed, &context, [&](JobKind, const JobProgress&) { seen << heatmap->placeholder(); });
    w.jobs().analyse(AnalysisMode::Recompute);
    CHECK(heatmap->placeholder().contains(QStringLiteral("Analysing")));
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis); }));
    REQUIRE_FALSE(seen.isEmpty());
    CHECK(seen.back().contains(QStringLiteral("tokens")));
    CHECK(heatmap->placeholder().isEmpty());
}

TEST_CASE("explorer: an unusable data file is reported beside Analyse, not as a failed analysis; back to the built-in text, the plan is kept", "[ui][explorer]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    openTiny(w, f, test::tinySettings());
    analyse(w, AnalysisMode::CacheFirst);
    auto& panel = w.prunePanel();
    panel.chooseRule(avss::RuleKind::Count);
    panel.slider()->setValue(2);
    REQUIRE(w.workspace().plan()->removed.size() == 2);

    QFile empty(toQString(f.dir.path() / "empty.txt"));
    REQUIRE(empty.open(QIODevice::WriteOnly));
    empty.close();
    QSignalSpy errors(&w.jobs(), &JobCenter::errorRaised);
    QSignalSpy missing(&w.jobs(), &JobCenter::analysisMissing);
    w.workspace().setDataSource(DataSource{empty.fileName(), QStringLiteral("text")});
    REQUIRE(waitUntil([&] { return !missing.isEmpty() && !w.jobs().isBusy(JobKind::Analysis); }));
    CHECK(errors.isEmpty());  // before: an "Analysis failed" dialog the user never asked for
    CHECK(missing.back().front().toString().contains(QStringLiteral("empty.txt")));

    w.workspace().setDataSource(DataSource{});
    REQUIRE(waitUntil([&] { return w.workspace().hasAnalysis() && !w.jobs().isBusy(JobKind::Analysis); }));
    REQUIRE(w.workspace().plan());
    CHECK(w.workspace().plan()->removed.size() == 2);
    CHECK(panel.slider()->value() == 2);
}

TEST_CASE("explorer: switching through every metric and scale draws without a single Qt warning", "[ui][explorer]") {
    // Every view redrawn for every metric; ui_main.cpp fails the suite on any warning. (The tiny
    // model's scores need no log axis: test_views.cpp "[charts]" covers the log-axis case.)
    TinyFixture f;
    MainWindow w(f.cacheDir);
    showAnalysed(w, f);
    const auto scores = w.workspace().analysis().scores;
    REQUIRE(scores);
    REQUIRE(scores->size() >= 8);
    for (const auto scale : {HeatmapScale::Value, HeatmapScale::Rank}) {
        w.setHeatmapScale(scale);
        for (const auto& s : *scores) {
            w.workspace().setMetric(toQString(s.metric));
            w.prunePanel().slider()->setValue(2);
            QTest::qWait(20);  // let the charts lay out and paint
        }
    }
    CHECK(w.workspace().metric() == toQString(scores->back().metric));
}

// Hidden: run by test_ui_x11_wm under Xvfb + twm (tests/ui/run_under_x.sh), where a window manager
// frames, places and activates the window as on a desktop.
TEST_CASE("explorer under a window manager: framed, active, sized from the real screen, docks not crushed", "[.x11]") {
    REQUIRE(QGuiApplication::platformName() == QStringLiteral("xcb"));
    TinyFixture f;
    QSettings().clear();
    MainWindow w(f.cacheDir);
    w.restoreLayout();
    const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
    REQUIRE(screen.size() == QSize(1600, 1000));  // Xvfb's screen, no panels
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    w.activateWindow();
    REQUIRE(QTest::qWaitForWindowActive(&w));
    CHECK(w.width() == 1600 * 85 / 100);
    REQUIRE(waitUntil([&] { return w.frameGeometry().height() > w.geometry().height(); }));  // the manager's title bar
    const auto* data = w.findChild<QDockWidget*>(QStringLiteral("dataDock"));
    const auto* prune = w.findChild<QDockWidget*>(QStringLiteral("pruneDock"));
    REQUIRE(waitUntil([&] { return data->width() >= 240 && prune->width() >= 280; }));
    QTest::keyClick(&w, Qt::Key_F1);  // a shortcut reaches the active window through the server
    REQUIRE(waitUntil([&] { return w.findChild<QDialog*>(QStringLiteral("metricsExplained")) != nullptr; }));
    w.findChild<QDialog*>(QStringLiteral("metricsExplained"))->close();
    w.close();
    QSettings().clear();
}

TEST_CASE("explorer: a heatmap row label explains its metric (the Metrics explained text)", "[ui][explorer][help]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    showAnalysed(w, f);
    auto* heatmap = w.views().heatmap();
    const auto& rows = heatmap->grid().rows;
    REQUIRE(rows.size() > 2);
    int metricRows = 0;
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        const auto& row = rows[static_cast<std::size_t>(r)];
        if (row.metricId.isEmpty()) continue;
        CHECK(heatmap->labelToolTip(r).contains(metricTooltip(row.metricId)));
        metricRows += row.isMetric ? 1 : 0;
    }
    CHECK(metricRows >= 6);
    // The label column left of the cells maps to rows; the cells do not.
    const int last = static_cast<int>(rows.size()) - 1;
    bool found = false;
    for (int y = 0; y < heatmap->height() && !found; ++y) found = heatmap->labelRowAt(QPointF(20, y)) == last;
    CHECK(found);
    CHECK(heatmap->labelRowAt(QPointF(heatmap->width() - 5, heatmap->height() / 3)) == -1);
}

TEST_CASE("explorer: it starts with the core's default metric and links to why it is the default", "[ui][explorer][help]") {
    TinyFixture f;
    MainWindow w(f.cacheDir);
    const auto& chosen = avss::defaultPruneMetric();
    CHECK(w.workspace().metric() == toQString(chosen.id));
    showAnalysed(w, f);
    CHECK(w.workspace().metric() == toQString(chosen.id));  // the analysis has it: kept
    auto* note = w.prunePanel().findChild<QLabel*>(QStringLiteral("defaultMetricNote"));
    REQUIRE(note);
    CHECK(note->text().contains(metricName(toQString(chosen.id)).toHtmlEscaped()));
    Q_EMIT note->linkActivated(QStringLiteral("why"));
    auto* page = w.findChild<QDialog*>(QStringLiteral("metricsExplained"));
    REQUIRE(page);
    const QString text = page->findChild<QTextBrowser*>()->toPlainText();
    CHECK(text.contains(toQString(chosen.why)));
    CHECK(text.contains(QStringLiteral("docs/results/pruning.md")));
    page->close();
}
