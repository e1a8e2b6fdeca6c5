// Pure adapters and value views: colour map, heatmap rows, table models, CSV, sessions, image export.
#include <catch2/catch.hpp>

#include <QAbstractAxis>
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QValueAxis>
#include <QChartView>
#include <QFile>
#include <QImage>
#include <QLineSeries>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "avss/collect.h"
#include "avss/corpus.h"
#include "avss/model.h"
#include "export_files.h"
#include "models/csv_export.h"
#include "models/layer_detail_model.h"
#include "models/layer_table_model.h"
#include "models/measurement_model.h"
#include "render/colour_map.h"
#include "render/heatmap_grid.h"
#include "session.h"
#include "tiny_fixture.h"
#include "widgets/heatmap_view.h"
#include "widgets/score_chart.h"

using namespace avss::ui;

namespace {

// Scores of a real (tiny) analysis, computed once for the cases below.
const std::vector<avss::LayerScores>& tinyScores() {
    static const auto scores = [] {
        test::TinyFixture f(5);
        const auto model = avss::Model::load(toPath(f.modelPath), avss::LoadOptions{avss::Device::Cpu});
        const auto stats = avss::collectStats(*model, avss::loadCorpus("builtin"), test::tinySettings().collectOptions());
        std::vector<avss::LayerScores> out;
        for (const auto& m : avss::metricRegistry()) out.push_back(avss::scoreLayers(stats, m.id));
        return out;
    }();
    return scores;
}

int channelDistance(const QColor& a, const QColor& b) {
    return std::max({std::abs(a.red() - b.red()), std::abs(a.green() - b.green()), std::abs(a.blue() - b.blue())});
}

}  // namespace

TEST_CASE("viridis matches the published colours and gets lighter monotonically", "[ui][render]") {
    CHECK(channelDistance(viridis(0.0), QColor(0x44, 0x01, 0x54)) <= 4);
    CHECK(channelDistance(viridis(0.25), QColor(0x3b, 0x52, 0x8b)) <= 4);
    CHECK(channelDistance(viridis(0.5), QColor(0x21, 0x91, 0x8c)) <= 4);
    CHECK(channelDistance(viridis(0.75), QColor(0x5e, 0xc9, 0x62)) <= 4);
    CHECK(channelDistance(viridis(1.0), QColor(0xfd, 0xe7, 0x25)) <= 4);
    double last = -1;
    for (int i = 0; i <= 100; ++i) {
        const QColor c = viridis(i / 100.0);
        const double luma = 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF();
        CHECK(luma > last);
        last = luma;
    }
    CHECK(viridis(-1) == viridis(0));
    CHECK(viridis(2) == viridis(1));
}

TEST_CASE("heatmap rows come from the scores, oriented so that dark = pruned first", "[ui][render]") {
    const auto& scores = tinyScores();
    const auto grid = buildHeatmapGrid(scores, HeatmapScale::Rank);
    REQUIRE(grid.layers == 5);
    for (const auto& s : scores) {
        const int row = grid.rowOf(toQString(s.metric));
        if (!avss::findMetric(s.metric).usesData) {
            CHECK(row < 0);  // reverse and random carry no information about the model
            continue;
        }
        REQUIRE(row >= 0);
        const auto& r = grid.rows[static_cast<std::size_t>(row)];
        for (const auto& l : s.layers) {
            CHECK(r.normalised[static_cast<std::size_t>(l.layer)] == Approx(l.rank / 4.0));
        }
    }
    const auto byValue = buildHeatmapGrid(scores, HeatmapScale::Value);
    for (const auto& r : byValue.rows) {
        double lo = 2, hi = -1;
        for (double t : r.normalised) {
            if (std::isnan(t)) continue;
            lo = std::min(lo, t), hi = std::max(hi, t);
        }
        CHECK(lo == Approx(0.0));
        CHECK(hi == Approx(1.0));
    }
    const QImage cells = renderHeatmapCells(byValue);
    CHECK(cells.width() == 5);
    CHECK(cells.height() == static_cast<int>(byValue.rows.size()));
}

TEST_CASE("heatmap rows spanning decades are coloured by their logarithm", "[ui][render]") {
    avss::LayerScores s = tinyScores().front();  // avss-paper: a LowFirst metric
    const double values[] = {1e-4, 1e-3, 1e-2, 1e-1, 1.0};
    for (std::size_t i = 0; i < s.layers.size(); ++i) s.layers[i].value = values[i];
    s.components.clear();
    const auto grid = buildHeatmapGrid({s}, HeatmapScale::Value);
    REQUIRE(grid.rows.size() == 1);
    CHECK(grid.rows[0].logColour);
    for (std::size_t i = 0; i < 5; ++i) CHECK(grid.rows[0].normalised[i] == Approx(i / 4.0));
}

TEST_CASE("lower-bound scores (the core's zero-sparsity guard) are marked in the heatmap rows and the layer table", "[ui][render][models]") {
    avss::LayerScores s = tinyScores().front();
    s.guardedLayers = {2};
    s.guardNote = "no near-zero element; the score is at least this large";
    const auto grid = buildHeatmapGrid({s}, HeatmapScale::Value);
    const int row = grid.rowOf(QString::fromStdString(s.metric));
    REQUIRE(row >= 0);
    const auto& r = grid.rows[static_cast<std::size_t>(row)];
    CHECK(r.lowerBound == std::vector<bool>{false, false, true, false, false});
    CHECK(r.boundNote.contains(QStringLiteral("at least")));
    LayerTableModel table;
    table.setScores(s, {}, {});
    CHECK(table.index(2, LayerTableModel::Bound).data().toString().startsWith(QStringLiteral("≥")));
    CHECK(table.index(2, LayerTableModel::Value).data(Qt::ToolTipRole).toString().contains(QStringLiteral("at least this large")));
    CHECK(table.index(1, LayerTableModel::Bound).data().toString().isEmpty());
    CHECK(table.index(1, LayerTableModel::Value).data(Qt::ToolTipRole).isNull());
    // A difference row bounds nothing.
    const auto diff = differenceGrid(grid, grid, HeatmapScale::Value);
    CHECK(diff.rows[static_cast<std::size_t>(row)].lowerBound.empty());
}

TEST_CASE("table models pass QAbstractItemModelTester and export as CSV", "[ui][models]") {
    const auto scores = std::make_shared<const std::vector<avss::LayerScores>>(tinyScores());
    LayerTableModel table;
    QAbstractItemModelTester t1(&table, QAbstractItemModelTester::FailureReportingMode::Fatal);
    table.setScores(scores->front(), {2}, {0, 4});
    CHECK(table.rowCount() == 5);
    CHECK(table.index(2, LayerTableModel::PlanColumn).data().toString() == QStringLiteral("removed"));
    CHECK(table.index(0, LayerTableModel::PlanColumn).data().toString() == QStringLiteral("protected"));

    LayerDetailModel detail;
    QAbstractItemModelTester t2(&detail, QAbstractItemModelTester::FailureReportingMode::Fatal);
    detail.setLayer(scores, 3);
    CHECK(detail.rowCount() == static_cast<int>(scores->size()));
    CHECK(detail.index(0, LayerDetailModel::Rank).data().toString() == QStringLiteral("%1 / 5").arg(scores->front().layers[3].rank));

    MeasurementModel measured;
    QAbstractItemModelTester t3(&measured, QAbstractItemModelTester::FailureReportingMode::Fatal);
    MeasuredPoint p;
    p.metric = QStringLiteral("bi");
    p.removed = {1, 3};
    p.denseNll = std::log(10.0);
    p.prunedNll = std::log(20.0);
    p.note = QStringLiteral("overlaps, \"partly\"");
    measured.setPoints({p});
    CHECK(measured.index(0, MeasurementModel::Retention).data().toString() == QStringLiteral("0.5000"));

    const QString csv = tableToCsv(measured);
    const auto lines = csv.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].startsWith(QStringLiteral("Metric,Removed,Blocks,")));
    CHECK(lines[1].endsWith(QStringLiteral(",\"overlaps, \"\"partly\"\"\"")));
}

TEST_CASE("a session survives the JSON round trip", "[ui][session]") {
    Session s;
    s.modelPath = QStringLiteral("/models/tiny.gguf");
    s.data = DataSource{QStringLiteral("/data/pairs.jsonl"), QStringLiteral("body")};
    s.settings = test::tinySettings();
    s.cacheFile = QStringLiteral("/tmp/mine.h5");
    s.metric = QStringLiteral("bi");
    s.rule.kind = avss::RuleKind::Mass;
    s.rule.mass = 0.3;
    s.rule.protectLast = false;
    s.selectedLayer = 4;
    s.windowState = QByteArray("\x01\x02state", 7);
    QString error;
    const auto back = sessionFromJson(sessionToJson(s), &error);
    REQUIRE(back.has_value());
    CHECK(back->modelPath == s.modelPath);
    CHECK(back->data == s.data);
    CHECK(back->settings == s.settings);
    CHECK(back->cacheFile == s.cacheFile);
    CHECK(back->metric == s.metric);
    CHECK(back->rule.kind == avss::RuleKind::Mass);
    CHECK(back->rule.mass == 0.3);
    CHECK_FALSE(back->rule.protectLast);
    CHECK(back->selectedLayer == 4);
    CHECK(back->windowState == s.windowState);

    CHECK_FALSE(sessionFromJson("{\"version\": 99}", &error).has_value());
    CHECK(error.contains(QStringLiteral("version")));
    CHECK_FALSE(sessionFromJson("{\"version\": 1, \"rule\": {\"kind\": \"sideways\"}}", &error).has_value());
    CHECK(error.contains(QStringLiteral("rule.kind")));
}

TEST_CASE("a session stores the device by name and still reads the old ordinal", "[ui][session]") {
    Session s;
    s.settings.device = avss::Device::Cuda;
    const auto json = sessionToJson(s);
    CHECK(json.contains("\"device\": \"cuda\""));
    QString error;
    const auto back = sessionFromJson(json, &error);
    REQUIRE(back.has_value());
    CHECK(back->settings.device == avss::Device::Cuda);

    const auto old = sessionFromJson(R"({"version": 1, "settings": {"device": 1, "tokens": 512}})", &error);  // before names
    REQUIRE(old.has_value());
    CHECK(old->settings.device == avss::Device::Cpu);
    CHECK(old->settings.tokens == 512);

    CHECK_FALSE(sessionFromJson(R"({"version": 1, "settings": {"device": "tpu"}})", &error).has_value());
    CHECK(error.contains(QStringLiteral("settings.device")));
    CHECK(error.contains(QStringLiteral("tpu")));
}

TEST_CASE("a session stores the weight storage; older sessions read as fp32", "[ui][session]") {
    Session s;
    s.settings.weights = avss::WeightStorage::Q8;
    const auto json = sessionToJson(s);
    CHECK(json.contains("\"weights\": \"q8\""));
    QString error;
    const auto back = sessionFromJson(json, &error);
    REQUIRE(back.has_value());
    CHECK(back->settings.weights == avss::WeightStorage::Q8);
    CHECK(back->settings == s.settings);
    s.settings.weights = avss::WeightStorage::Bf16;
    const auto bf16 = sessionFromJson(sessionToJson(s), &error);
    REQUIRE(bf16.has_value());
    CHECK(bf16->settings.weights == avss::WeightStorage::Bf16);
    const auto old = sessionFromJson(R"({"version": 1, "settings": {"tokens": 512}})", &error);
    REQUIRE(old.has_value());
    CHECK(old->settings.weights == avss::WeightStorage::Fp32);
    CHECK_FALSE(sessionFromJson(R"({"version": 1, "settings": {"weights": "int4"}})", &error).has_value());
    CHECK(error.contains(QStringLiteral("settings.weights")));
    CHECK(error.contains(QStringLiteral("int4")));
}

TEST_CASE("any view exports to PNG and SVG", "[ui][export]") {
    avss::test::TempDir dir;
    HeatmapView view;
    view.resize(640, 360);
    view.setScores(std::make_shared<const std::vector<avss::LayerScores>>(tinyScores()));
    const QString png = toQString(dir.path() / "heatmap.png"), svg = toQString(dir.path() / "heatmap.svg");
    REQUIRE(saveWidgetImage(view, png).isEmpty());
    REQUIRE(saveWidgetImage(view, svg).isEmpty());
    const QImage image(png);
    CHECK(image.width() >= 640);
    QFile svgFile(svg);
    REQUIRE(svgFile.open(QIODevice::ReadOnly));
    const QByteArray text = svgFile.readAll();
    CHECK(text.contains("<svg"));
    CHECK(text.contains("AVSS (paper)"));  // row labels are text in the drawing
    CHECK_FALSE(saveWidgetImage(view, toQString(dir.path() / "heatmap.bmp")).isEmpty());
    // A figure: twice the size, and the caption in a band below, in the PNG's text and the SVG's description.
    const QString caption = QStringLiteral("SmolLM2 · data builtin:sample · AVSS (paper) · AVSS Explorer 0.1.0, 2026-12-06T23:40:00Z");
    const QString figure = toQString(dir.path() / "figure.png"), figureSvg = toQString(dir.path() / "figure.svg");
    REQUIRE(saveWidgetImage(view, figure, caption).isEmpty());
    const QImage big(figure);
    CHECK(big.width() == 2 * 640);
    CHECK(big.height() > 2 * 360);  // the caption band
    CHECK(big.text(QStringLiteral("Description")) == caption);
    REQUIRE(saveWidgetImage(view, figureSvg, caption).isEmpty());
    QFile captioned(figureSvg);
    REQUIRE(captioned.open(QIODevice::ReadOnly));
    const QString svgText = QString::fromUtf8(captioned.readAll());
    CHECK(svgText.contains(QStringLiteral("AVSS Explorer 0.1.0")));
}

TEST_CASE("the score chart on a log axis draws removed and protected layers without a QtCharts warning", "[ui][charts]") {
    // Scores over four decades get a log axis. Stacked segments ending at 0 made QtCharts print
    // "Logarithms of zero and negative values are undefined" for every layout (11,859 lines for one
    // screenshot of the sample model); ui_main.cpp fails the suite on any such warning.
    avss::LayerScores s;
    s.metric = "avss-paper";
    for (int l = 0; l < 12; ++l) s.layers.push_back({l, std::pow(10.0, -3.0 + l / 3.0), 0, 0.1 * std::pow(10.0, -3.0 + l / 3.0), l, 0});
    avss::ui::ScoreChart chart;
    chart.resize(900, 380);
    chart.show();
    chart.setScores(&s, {{1, 2, 3}, {0, 11}, true});
    chart.setSelectedLayer(2);
    const auto* view = chart.findChild<QChartView*>();
    REQUIRE(view != nullptr);
    const auto axes = view->chart()->axes(Qt::Vertical);
    REQUIRE(axes.size() == 1);
    CHECK(axes.front()->type() == QAbstractAxis::AxisTypeLogValue);  // the case that warned
    CHECK_FALSE(chart.grab().isNull());  // lays out and paints every segment
    chart.setScores(&s, {{4, 5}, {0}, true});  // a new plan re-lays the bars out
    CHECK_FALSE(chart.grab().isNull());
}

namespace {

// Eight layers with avss-reference-code-like amounts: prune order 2, 0, 5, 4, 3, 1, 6, 7 (total 12).
avss::LayerScores screeScores() {
    avss::LayerScores s;
    s.metric = "avss-reference-code";
    const double values[] = {0.6, 2.0, 0.5, 1.8, 0.9, 0.7, 2.5, 3.0};
    for (int l = 0; l < 8; ++l) s.layers.push_back({l, values[l], values[l], 0.05, 0, 0});
    s.pruneOrder = {2, 0, 5, 4, 3, 1, 6, 7};
    for (int r = 0; r < 8; ++r) s.layers[static_cast<std::size_t>(s.pruneOrder[static_cast<std::size_t>(r)])].rank = r;
    s.layers[3].sd = 0.5;  // its error bar reaches the cut between 0.9 and 1.8
    return s;
}

template <class T>
T* seriesOf(avss::ui::ScoreChart& chart, const QString& nameStart) {
    for (auto* series : chart.findChild<QChartView*>()->chart()->series()) {
        if (series->name().startsWith(nameStart)) return qobject_cast<T*>(series);
    }
    return nullptr;
}

}  // namespace

TEST_CASE("the score chart's sorted view: prune order, cumulative mass, uncertain layers, tooltips and scale", "[ui][charts]") {
    const auto s = screeScores();
    avss::ui::ScoreChart chart;
    chart.resize(900, 420);
    chart.show();
    chart.setScores(&s, {{2, 0, 5, 4}, {}, true});
    chart.setSorted(true);
    const auto* view = chart.findChild<QChartView*>();
    auto* x = qobject_cast<QCategoryAxis*>(view->chart()->axes(Qt::Horizontal).front());
    REQUIRE(x);
    CHECK(x->categoriesLabels() == QStringList{"2", "0", "5", "4", "3", "1", "6", "7"});
    auto* mass = seriesOf<QLineSeries>(chart, QStringLiteral("cumulative mass"));
    REQUIRE(mass);
    REQUIRE(mass->count() == 8);
    CHECK(mass->at(3).y() == Approx(2.7 / 12));
    CHECK(mass->at(7).y() == Approx(1.0));
    auto* uncertain = seriesOf<QScatterSeries>(chart, QStringLiteral("uncertain"));
    REQUIRE(uncertain);
    REQUIRE(uncertain->count() == 1);
    CHECK(uncertain->at(0).x() == 4);  // layer 3, fifth in prune order
    REQUIRE(chart.cutX());
    CHECK(*chart.cutX() == 3.5);
    const QString tip = chart.tooltipFor(3);
    CHECK(tip.contains(QLatin1String("Layer 3")));
    CHECK(tip.contains(QLatin1String("rank 4 of 8")));
    CHECK(tip.contains(QLatin1String("cumulative score mass 37.5 %")));
    CHECK(tip.contains(QLatin1String("error bar reaches the cut")));
    auto guarded = s;
    guarded.guardedLayers = {7};
    chart.setScores(&guarded, {{2, 0, 5, 4}, {}, true});
    CHECK(chart.tooltipFor(7).contains(QStringLiteral("value ≥ 3")));
    // Scale: the values span less than two decades, so Auto is linear; Log is asked for.
    CHECK_FALSE(chart.logScale());
    chart.setScale(avss::ui::ScoreChart::Scale::Log);
    CHECK(chart.logScale());
    CHECK(view->chart()->axes(Qt::Vertical).front()->type() == QAbstractAxis::AxisTypeLogValue);
    CHECK_FALSE(chart.grab().isNull());
    chart.setScale(avss::ui::ScoreChart::Scale::Linear);
    CHECK(view->chart()->axes(Qt::Vertical).front()->type() == QAbstractAxis::AxisTypeValue);
    chart.setSorted(false);
    CHECK_FALSE(chart.cutX());
    CHECK_FALSE(seriesOf<QScatterSeries>(chart, QStringLiteral("uncertain")));
}

TEST_CASE("the score chart's cut line drags to a new count of removed layers", "[ui][charts]") {
    const auto s = screeScores();
    avss::ui::ScoreChart chart;
    chart.resize(900, 420);
    chart.show();
    REQUIRE(QTest::qWaitForWindowExposed(&chart));
    chart.setSorted(true);
    chart.setScores(&s, {{2, 0}, {7}, true});
    REQUIRE(chart.cutX());
    CHECK(*chart.cutX() == 1.5);
    QSignalSpy dropped(&chart, &avss::ui::ScoreChart::cutDragged);
    const QPoint from = chart.chartPosition({*chart.cutX(), 1.0}).toPoint();
    const QPoint to = chart.chartPosition({4.6, 1.0}).toPoint();  // right of the fifth bar: 2, 0, 5, 4, 3
    QTest::mousePress(chart.viewport(), Qt::LeftButton, {}, from);
    QMouseEvent move(QEvent::MouseMove, QPointF(to), chart.viewport()->mapToGlobal(QPointF(to)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(chart.viewport(), &move);
    QTest::mouseRelease(chart.viewport(), Qt::LeftButton, {}, to);
    REQUIRE(dropped.count() == 1);
    CHECK(dropped.front().front().toInt() == 5);
    // A press away from the line is a bar click, not a drag.
    QSignalSpy clicked(&chart, &avss::ui::ScoreChart::layerClicked);
    QTest::mouseClick(chart.viewport(), Qt::LeftButton, {}, chart.chartPosition({6.0, 0.3}).toPoint());
    CHECK(dropped.count() == 1);
}

TEST_CASE("the sorted score chart drops its layer labels and legend where QtCharts would elide them", "[ui][charts]") {
    auto s = screeScores();
    for (int l = 8; l < 30; ++l) {  // 30 layers, as the sample model
        s.layers.push_back({l, 4.0 + l, 4.0 + l, 0.05, l, 0});
        s.pruneOrder.push_back(l);
    }
    avss::ui::ScoreChart chart;
    chart.setSorted(true);
    chart.setScores(&s, {{2, 0}, {}, true});
    const auto* view = chart.findChild<QChartView*>();
    const auto check = [&](QSize size, bool roomy) {
        chart.resize(size);
        chart.show();
        QApplication::processEvents();
        CHECK_FALSE(chart.grab().isNull());  // lays out
        auto* x = qobject_cast<QCategoryAxis*>(view->chart()->axes(Qt::Horizontal).front());
        REQUIRE(x);
        CHECK(x->labelsVisible() == roomy);
        CHECK(view->chart()->legend()->isVisible() == roomy);
    };
    check({1100, 440}, true);
    check({380, 300}, false);
    check({1100, 440}, true);

    // By layer, a value axis: narrower charts label fewer ticks, never so many that they elide.
    chart.setSorted(false);
    for (const int width : {1100, 600, 380}) {
        chart.resize(width, 300);
        QApplication::processEvents();
        CHECK_FALSE(chart.grab().isNull());
        auto* x = qobject_cast<QValueAxis*>(view->chart()->axes(Qt::Horizontal).front());
        REQUIRE(x);
        const double perTick = view->chart()->plotArea().width() / 30 * x->tickInterval();
        INFO("width " << width << ": tick step " << x->tickInterval() << ", " << perTick << " px per tick");
        CHECK(perTick >= QFontMetricsF(x->labelsFont()).horizontalAdvance(QStringLiteral("29")) * 1.5);
        if (width == 1100) CHECK(x->tickInterval() <= 2);
        auto* y = view->chart()->axes(Qt::Vertical).front();  // its title shows only where it fits unelided
        CHECK(y->isTitleVisible() == (view->chart()->plotArea().height() >= QFontMetricsF(y->titleFont()).horizontalAdvance(y->titleText())));
    }
}
