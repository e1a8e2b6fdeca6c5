// The QtCharts adapter (see score_chart.h): builds bar, error-bar and line series from core values.
#include "widgets/score_chart.h"

#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QStackedBarSeries>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <optional>

#include "render/colour_map.h"
#include "util/qt_convert.h"

namespace avss::ui {
namespace {

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

QChartView* makeView(QWidget* parent, QChart* chart) {
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    auto* layout = new QVBoxLayout(parent);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    QFont title = chart->titleFont();
    title.setPointSizeF(title.pointSizeF() * 1.1);
    title.setBold(true);
    chart->setTitleFont(title);
    return view;
}

// Where a count or mass rule cuts: the removed bar nearest to the kept ones.
std::optional<double> thresholdOf(const avss::LayerScores& s, const ScoreChart::Plan& plan) {
    if (!plan.valueThreshold || plan.removed.empty()) return std::nullopt;
    const bool highFirst = avss::findMetric(s.metric).order == avss::PruneOrder::HighFirst;
    double cut = highFirst ? INFINITY : -INFINITY;
    for (int l : plan.removed) {
        const double v = s.layers[static_cast<std::size_t>(l)].value;
        cut = highFirst ? std::min(cut, v) : std::max(cut, v);
    }
    return std::isfinite(cut) ? std::optional<double>(cut) : std::nullopt;
}

}  // namespace

struct ScoreChart::Impl {
    QChart* chart = new QChart;
    QChartView* view = nullptr;
    std::vector<QBarSet*> sets;  // kept, removed, protected
    QLineSeries* threshold = nullptr;
    std::string metric;          // what the series show now
    std::vector<double> values;
    int selected = -1;
    // The value of a bar segment a layer does not use. 0 on a linear axis; on a log axis a value far
    // below its minimum (so never drawn), because QtCharts warns for every stacked segment ending at 0.
    double absent = 0.0;
};

ScoreChart::ScoreChart(QWidget* parent) : QWidget(parent), m(std::make_unique<Impl>()) {
    m->view = makeView(this, m->chart);
    m->chart->setTitle(tr("No analysis yet"));
}

ScoreChart::~ScoreChart() = default;

void ScoreChart::setScores(const avss::LayerScores* scores, const Plan& plan) {
    std::vector<double> values;
    if (scores) {
        for (const auto& l : scores->layers) values.push_back(l.value);
    }
    if (scores && !m->sets.empty() && scores->metric == m->metric && values == m->values) {
        applyPlan(*scores, plan);  // a slider move: recolour bars and move the threshold, no rebuild
        return;
    }
    m->metric = scores ? scores->metric : std::string();
    m->values = values;
    rebuild(scores, plan);
}

void ScoreChart::rebuild(const avss::LayerScores* scores, const Plan& plan) {
    m->chart->removeAllSeries();
    m->threshold = nullptr;
    for (auto* axis : m->chart->axes()) m->chart->removeAxis(axis), delete axis;
    m->sets.clear();
    if (!scores || scores->layers.empty()) {
        m->chart->setTitle(tr("No analysis yet"));
        return;
    }
    const auto& info = avss::findMetric(scores->metric);
    m->chart->setTitle(tr("%1 per layer  (error bars: ± sd across calibration shards)").arg(toQString(info.name)));
    auto* bars = new QStackedBarSeries;
    const QString names[3] = {tr("kept"), tr("removed by the plan"), tr("protected")};
    const QColor colours[3] = {viridis(0.55), QColor(0xd6, 0x27, 0x28), QColor(0x9e, 0x9e, 0x9e)};
    for (int i = 0; i < 3; ++i) {
        auto* set = new QBarSet(names[i]);
        set->setColor(colours[i]);
        set->setBorderColor(colours[i].darker(130));
        set->setSelectedColor(colours[i].darker(170));
        m->sets.push_back(set);
        connect(set, &QBarSet::clicked, this, &ScoreChart::layerClicked);
    }
    QStringList categories;
    double lo = 0, hi = 0, minPositive = INFINITY;
    bool allPositive = true;
    for (const auto& l : scores->layers) {
        const double v = std::isfinite(l.value) ? l.value : 0.0;
        categories << QString::number(l.layer);
        const double sd = std::isfinite(l.sd) ? l.sd : 0.0;
        lo = std::min(lo, v - sd);
        hi = std::max(hi, v + sd);
        allPositive = allPositive && v > 0;
        if (v > 0) minPositive = std::min(minPositive, v);
    }
    // Scores spanning more than two decades get a log axis, else the small bars would be invisible.
    const bool logAxis = allPositive && hi / minPositive > 100;
    const double floor = logAxis ? std::pow(10.0, std::floor(std::log10(minPositive))) : lo;
    m->absent = logAxis ? floor * 1e-9 : 0.0;
    for (auto* set : m->sets) {
        for (int i = 0; i < categories.size(); ++i) set->append(m->absent);  // applyPlan() fills in the values
    }
    for (auto* set : m->sets) bars->append(set);
    bars->setBarWidth(0.75);
    m->chart->addSeries(bars);
    // A value axis (not a category axis) for the layers: its ticks thin out on narrow charts
    // instead of eliding every label; bar i sits at x = i.
    auto* x = new QValueAxis;
    x->setRange(-0.5, static_cast<double>(categories.size()) - 0.5);
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(0);
    x->setTickInterval(categories.size() > 40 ? 10 : categories.size() > 12 ? 2 : 1);
    x->setLabelFormat(QStringLiteral("%d"));
    x->setGridLineVisible(false);
    x->setTitleText(tr("layer"));
    QAbstractAxis* y = nullptr;
    if (logAxis) {
        auto* logY = new QLogValueAxis;
        logY->setBase(10);
        logY->setRange(floor, hi * 2);
        logY->setLabelFormat(QStringLiteral("%.0e"));
        logY->setMinorTickCount(-1);
        y = logY;
    } else {
        auto* linY = new QValueAxis;
        linY->setRange(lo, hi > lo ? hi * 1.05 : lo + 1);
        linY->applyNiceNumbers();
        linY->setLabelFormat(QStringLiteral("%.3g"));
        y = linY;
    }
    y->setTitleText(toQString(info.name) + (logAxis ? tr(" (log scale)") : QString()));
    m->chart->addAxis(x, Qt::AlignBottom);
    m->chart->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(x);
    bars->attachAxis(y);
    for (const auto& l : scores->layers) {  // error bars: one vertical segment per layer
        if (!std::isfinite(l.sd) || !std::isfinite(l.value) || l.sd <= 0) continue;
        auto* err = new QLineSeries;
        err->append(l.layer, logAxis ? std::max(l.value - l.sd, floor) : l.value - l.sd);
        err->append(l.layer, l.value + l.sd);
        err->setPen(QPen(palette().color(QPalette::Text), 1.2));
        m->chart->addSeries(err);
        err->attachAxis(x);
        err->attachAxis(y);
        m->chart->legend()->markers(err).front()->setVisible(false);
    }
    m->threshold = new QLineSeries;
    m->threshold->setPen(QPen(QColor(0xd6, 0x27, 0x28), 1.5, Qt::DashLine));
    m->chart->addSeries(m->threshold);
    m->threshold->attachAxis(x);
    m->threshold->attachAxis(y);
    applyPlan(*scores, plan);
}

void ScoreChart::applyPlan(const avss::LayerScores& scores, const Plan& plan) {
    for (const auto& l : scores.layers) {
        const int kind = contains(plan.removed, l.layer) ? 1 : contains(plan.protectedLayers, l.layer) ? 2 : 0;
        const double v = std::isfinite(l.value) ? l.value : 0.0;
        for (int i = 0; i < 3; ++i) m->sets[static_cast<std::size_t>(i)]->replace(l.layer, i == kind ? v : m->absent);
    }
    const auto cut = thresholdOf(scores, plan);
    m->threshold->clear();
    if (cut) {
        m->threshold->append(-0.5, *cut);
        m->threshold->append(static_cast<double>(scores.layers.size()) - 0.5, *cut);
    }
    m->threshold->setName(cut ? tr("threshold %1").arg(*cut, 0, 'g', 4) : tr("no value threshold"));
    m->threshold->setVisible(cut.has_value());
    const int keep = m->selected;
    m->selected = -1;
    setSelectedLayer(keep);
}

void ScoreChart::setSelectedLayer(int layer) {
    m->selected = layer;
    for (auto* set : m->sets) {
        set->deselectAllBars();
        if (layer >= 0 && layer < set->count() && set->at(layer) != m->absent) set->selectBar(layer);
    }
}

struct LineChart::Impl {
    QChart* chart = new QChart;
    QChartView* view = nullptr;
    QValueAxis* x = new QValueAxis;
    QValueAxis* y = new QValueAxis;
    double yFloor = 0;
    QString title;
};

LineChart::LineChart(const QString& title, const QString& xTitle, const QString& yTitle, QWidget* parent)
    : QWidget(parent), m(std::make_unique<Impl>()) {
    m->view = makeView(this, m->chart);
    m->title = title;
    m->x->setTitleText(xTitle);
    m->y->setTitleText(yTitle);
    m->x->setLabelFormat(QStringLiteral("%d"));
    m->y->setLabelFormat(QStringLiteral("%.2f"));
    m->chart->addAxis(m->x, Qt::AlignBottom);
    m->chart->addAxis(m->y, Qt::AlignLeft);
}

LineChart::~LineChart() = default;

void LineChart::setSeries(const std::vector<ChartSeries>& series, const QString& emptyText) {
    m->chart->removeAllSeries();
    m->chart->setTitle(series.empty() ? m->title + QStringLiteral("<br><small>") + emptyText + QStringLiteral("</small>") : m->title);
    double lo = m->yFloor, hi = 1.0;
    for (std::size_t i = 0; i < series.size(); ++i) {
        auto* line = new QLineSeries;
        line->setName(series[i].name);
        auto points = series[i].points;
        std::sort(points.begin(), points.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
        for (const auto& p : points) {
            line->append(p);
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
        line->setPointsVisible(true);
        line->setMarkerSize(9);
        line->setColor(viridis(series.size() == 1 ? 0.35 : 0.1 + 0.75 * static_cast<double>(i) / static_cast<double>(series.size() - 1)));
        m->chart->addSeries(line);
        line->attachAxis(m->x);
        line->attachAxis(m->y);
    }
    m->y->setRange(lo, hi + 0.05 * (hi - lo));
    m->y->applyNiceNumbers();
    m->chart->legend()->setVisible(!series.empty());
}

void LineChart::setXRange(double min, double max) {
    m->x->setRange(min, std::max(max, min + 1));
    m->x->setTickType(QValueAxis::TicksDynamic);
    m->x->setTickAnchor(0);
    m->x->setTickInterval(std::max(1.0, std::ceil((max - min) / 8)));
}

void LineChart::setYFloor(double floor) { m->yFloor = floor; }

}  // namespace avss::ui
