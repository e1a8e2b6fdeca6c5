// The explorer's teaching views on a tiny model. The logit lens: the table shows the core's
// logitLens() (each layer's top token per position, the model's own prediction last) and its
// attention, runs off the UI thread, and "Skip the plan's blocks" reruns it with the plan's blocks
// marked skipped. Getting started ticks its steps; presentation mode hides docks, enlarges fonts; a
// lesson's steps set the views.
#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QTableWidget>

#include "avss/logit_lens.h"
#include "lesson.h"
#include "main_window.h"
#include "tiny_fixture.h"
#include "widgets/attention_grid.h"
#include "widgets/lesson_panel.h"
#include "widgets/lens_view.h"
#include "widgets/prune_panel.h"
#include "widgets/welcome_panel.h"

using namespace avss::ui;
using avss::ui::test::TinyFixture;
using avss::ui::test::waitUntil;

namespace {

// The cell text the view shows for a token (whitespace made visible the same way).
QString shownToken(const avss::Tokenizer& tok, avss::TokenId id) {
    auto s = toQString(tok.decode({id}));
    s.replace(QLatin1Char('\n'), QStringLiteral("↵")).replace(QLatin1Char('\t'), QStringLiteral("⇥"));
    if (s.startsWith(QLatin1Char(' '))) s.replace(0, 1, QStringLiteral("␣"));
    return s.isEmpty() ? QStringLiteral("∅") : s;
}

// Shows the window with the tiny-model settings; with `open`, also opens the model and waits for it.
void showTiny(MainWindow& w, const TinyFixture& f, bool open) {
    w.resize(1400, 900);
    w.show();
    w.workspace().setSettings(test::tinySettings());
    if (!open) return;
    w.openModelFile(f.modelPath);
    REQUIRE(waitUntil([&] { return w.workspace().model() && !w.jobs().isBusy(JobKind::Load) && !w.jobs().isBusy(JobKind::Analysis); }));
}

void runLens(MainWindow& w, const QString& prompt) {
    auto& view = w.lensView();
    view.setPrompt(prompt);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Lens) && view.shown().lens; }));
}

}  // namespace

TEST_CASE("logit lens: the table is the core's lens, and the plan's blocks can be skipped", "[ui][lens]") {
    TinyFixture f(6);
    MainWindow w(f.cacheDir);
    showTiny(w, f, true);
    const auto& model = *w.workspace().model();
    const auto& tok = model.tokenizer();
    const QString prompt = QStringLiteral("the river carries stones to the sea");

    runLens(w, prompt);
    const auto& view = w.lensView();
    const auto tokens = tok.encode(toUtf8(prompt));
    avss::LensOptions withAttention;
    withAttention.attention = true;
    const auto core = avss::logitLens(model, tokens, withAttention);  // computed here, on the test's thread, for comparison
    auto* table = view.table();
    REQUIRE(table->columnCount() == static_cast<int>(tokens.size()));
    REQUIRE(table->rowCount() == 6 + 2);  // embeddings, 6 blocks, the model
    CHECK(table->verticalHeaderItem(0)->text() == QStringLiteral("embeddings"));
    CHECK(table->verticalHeaderItem(7)->text() == QStringLiteral("model"));
    for (int r = 0; r < 7; ++r) {
        for (int c = 0; c < table->columnCount(); ++c) {
            const auto& cell = core.rows[static_cast<std::size_t>(r)].positions[static_cast<std::size_t>(c)];
            CHECK(table->item(r, c)->text() == shownToken(tok, cell.top.front()));
        }
    }
    for (int c = 0; c < table->columnCount(); ++c) CHECK(table->item(7, c)->text() == shownToken(tok, core.prediction[static_cast<std::size_t>(c)]));
    CHECK(table->horizontalHeaderItem(1)->text() == shownToken(tok, tokens[1]));
    CHECK(table->item(3, 0)->toolTip().contains(QStringLiteral("actual next token")));
    CHECK_FALSE(table->item(3, table->columnCount() - 1)->toolTip().contains(QStringLiteral("actual next token")));  // the last has none

    // The Attention tab: the chosen block and head from the same pass; a table cell chooses the block.
    auto* grid = view.attentionGrid();
    const int T = static_cast<int>(tokens.size());
    table->setCurrentCell(3, 1);  // block 2
    CHECK(view.blockBox()->value() == 2);
    view.headBox()->setCurrentIndex(1 + 1);  // head 1
    REQUIRE(grid->size() == T);
    for (int q = 0; q < T; ++q) {
        for (int k = 0; k < T; ++k) CHECK(grid->weightAt(q, k) == core.attentionAt(2, 1, q, k));
    }
    view.headBox()->setCurrentIndex(0);  // the mean of the heads
    double mean = 0;
    for (int h = 0; h < core.heads; ++h) mean += core.attentionAt(2, h, T - 1, 0) / core.heads;
    CHECK(grid->weightAt(T - 1, 0) == Approx(mean).epsilon(1e-6));
    CHECK(grid->cellRect(T - 1, 0).isValid());

    // With an analysis there is a plan; skipping its blocks reruns the lens.
    w.jobs().analyse(AnalysisMode::CacheFirst);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis) && w.workspace().plan(); }));
    w.prunePanel().pickCount(2, {});
    const auto removed = w.workspace().plan()->removed;
    REQUIRE_FALSE(removed.empty());
    REQUIRE(view.skipPlanBox()->isEnabled());
    view.skipPlanBox()->setChecked(true);
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Lens) && view.shown().skipped == removed; }));
    for (const int l : removed) CHECK(table->item(l + 1, 0)->text() == QStringLiteral("skipped"));
    view.blockBox()->setValue(removed.front());
    CHECK(grid->size() == 0);  // a skipped block has no pattern, only a note
    avss::LensOptions o;
    o.skipLayers = removed;
    const auto pruned = avss::logitLens(model, tokens, o);
    const int last = table->columnCount() - 1;
    CHECK(table->item(7, last)->text() == shownToken(tok, pruned.prediction.back()));
}

TEST_CASE("getting started: each step ticks when the user does it, by any route", "[ui][welcome]") {
    TinyFixture f(6);
    MainWindow w(f.cacheDir);
    showTiny(w, f, false);
    auto& welcome = w.welcomePanel();
    CHECK(welcome.doneCount() == 0);
    w.openModelFile(f.modelPath);  // not the page's button (it opens the real sample model)
    REQUIRE(waitUntil([&] { return w.workspace().model() && !w.jobs().isBusy(JobKind::Load) && !w.jobs().isBusy(JobKind::Analysis); }));
    CHECK(welcome.isDone(WelcomePanel::OpenModel));
    CHECK_FALSE(welcome.isDone(WelcomePanel::Analyse));
    auto* analyse = w.findChild<QPushButton*>(QStringLiteral("welcomeButton1"));
    REQUIRE(analyse);
    REQUIRE(analyse->isEnabled());
    QTest::mouseClick(analyse, Qt::LeftButton);  // the page's button runs the window's Analyse
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis) && w.workspace().hasAnalysis(); }));
    CHECK(welcome.isDone(WelcomePanel::Analyse));
    CHECK_FALSE(welcome.isDone(WelcomePanel::MoveSlider));  // the analysis's own plan is not the user's move
    w.workspace().setSelectedLayer(2);
    CHECK(welcome.isDone(WelcomePanel::ReadHeatmap));
    w.prunePanel().pickCount(2, {});
    CHECK(welcome.isDone(WelcomePanel::MoveSlider));
    w.jobs().measure();
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Measure); }));
    CHECK(welcome.isDone(WelcomePanel::Measure));
    auto* lens = w.findChild<QPushButton*>(QStringLiteral("welcomeButton5"));
    REQUIRE(lens);
    QTest::mouseClick(lens, Qt::LeftButton);  // raises the lens dock and runs its prompt
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Lens) && w.lensView().shown().lens; }));
    CHECK(welcome.isDone(WelcomePanel::LogitLens));
    CHECK(welcome.doneCount() == WelcomePanel::StepCount);
}

TEST_CASE("presentation mode hides the docks and enlarges the fonts; off restores both", "[ui][presentation]") {
    TinyFixture f(4);
    MainWindow w(f.cacheDir);
    w.resize(1400, 900);
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    const auto docks = w.findChildren<QDockWidget*>();
    REQUIRE(docks.size() >= 6);
    QStringList visible;
    for (auto* d : docks) {
        if (d->isVisible()) visible << d->objectName();
    }
    const double normal = w.font().pointSizeF();
    w.setPresentationMode(true);
    CHECK(w.presentationMode());
    for (auto* d : docks) CHECK_FALSE(d->isVisible());
    CHECK(w.font().pointSizeF() == Approx(normal * 1.5));
    CHECK(w.lensView().table()->font().pointSizeF() == Approx(normal * 1.5));  // inherited by the children
    w.setPresentationMode(false);
    CHECK_FALSE(w.presentationMode());
    CHECK(w.font().pointSizeF() == Approx(normal));
    QStringList after;
    for (auto* d : docks) {
        if (d->isVisible()) after << d->objectName();
    }
    CHECK(after == visible);
}

TEST_CASE("lesson: the bundled lesson parses; a lesson's steps set the views and wait for the analysis", "[ui][lesson]") {
    QString error;
    const auto bundled = loadLesson(QString::fromLatin1(kBundledLesson), &error);
    INFO(toUtf8(error));
    REQUIRE(bundled);
    CHECK(bundled->steps.size() >= 5);
    CHECK(bundled->model == QStringLiteral("default"));

    TinyFixture f(6);
    const QString path = toQString(f.dir.path() / "lesson.json");
    {
        QFile file(path);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "avss-lesson", "title": "t", "steps": [
            {"title": "one", "note": "first", "metric": "avss-paper", "remove": 0, "panel": "prune"},
            {"title": "two", "note": "second", "metric": "bi", "remove": 2, "layer": 3, "sorted": true},
            {"title": "three", "note": "third", "lens": "the river", "lens_skip_plan": true, "panel": "lens"}]})");
    }
    MainWindow w(f.cacheDir);
    showTiny(w, f, true);
    REQUIRE(w.startLesson(path, false).isEmpty());
    auto& lesson = w.lessonPanel();
    CHECK(lesson.current() == 0);
    CHECK(lesson.isVisible());
    if (!w.workspace().hasAnalysis()) {  // step 1 waits for the analysis, then applies itself
        w.jobs().analyse(AnalysisMode::CacheFirst);
        REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Analysis) && w.workspace().hasAnalysis(); }));
    }
    CHECK(w.workspace().metric() == QStringLiteral("avss-paper"));
    QTest::mouseClick(lesson.nextButton(), Qt::LeftButton);
    CHECK(lesson.current() == 1);
    CHECK(w.workspace().metric() == QStringLiteral("bi"));
    REQUIRE(w.workspace().plan());
    CHECK(w.workspace().plan()->removed.size() == 2);
    CHECK(w.workspace().selectedLayer() == 3);
    QTest::mouseClick(lesson.nextButton(), Qt::LeftButton);
    CHECK_FALSE(lesson.nextButton()->isEnabled());  // the last step
    REQUIRE(waitUntil([&] { return !w.jobs().isBusy(JobKind::Lens) && w.lensView().shown().lens; }));
    CHECK(w.lensView().shown().skipped == w.workspace().plan()->removed);

    const QString bad = toQString(f.dir.path() / "bad.json");
    {
        QFile file(bad);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "avss-lesson", "steps": [{"title": "x", "note": "y", "metric": "no-such-metric"}]})");
    }
    const QString message = w.startLesson(bad, false);
    CHECK(message.contains(QStringLiteral("bad.json")));
    CHECK(message.contains(QStringLiteral("no-such-metric")));
}
