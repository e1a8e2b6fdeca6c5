// The QtCharts adapter (see score_chart.h): builds bar, error-bar and line series from core values.
// The sorted view's numbers (order, cumulative mass, cut, uncertainty) come from avss::screeOf.
#include "widgets/score_chart.h"

#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "avss/scree.h"
#include "widgets/chart_view.h"
#include "render/colour_map.h"
#include "util/qt_convert.h"

namespace avss::ui {
namespace {

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

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

QString number(double v) { return QString::number(v, 'g', 4); }

constexpr int kGrabPixels = 6;     // how close to the cut line a press starts a drag
constexpr int kLegendWidth = 560;  // below it the legend's entries elide to "rem…"

}  // namespace

struct ScoreChart::Impl {
    QChart* chart = new QChart;
    QChartView* view = nullptr;
    QCheckBox* sortedBox = nullptr;
    QComboBox* scaleBox = nullptr;
    std::vector<QBarSet*> sets;      // kept, removed, protected
    QLineSeries* threshold = nullptr;  // by layer: the value threshold; sorted: the cut
    QLineSeries* mass = nullptr;     // sorted: cumulative score mass (right axis)
    QScatterSeries* uncertain = nullptr;
    std::optional<avss::LayerScores> scores;
    Plan plan;
    avss::Scree scree;               // of the current scores and plan, in both views (tooltips)
    bool sorted = false, logAxis = false, dragging = false;
    Scale scale = Scale::Auto;
    double yLow = 0, yHigh = 1;
    int selected = -1;
    // The value of a bar segment a layer does not use. 0 on a linear axis; on a log axis a value far
    // below its minimum (so never drawn), because QtCharts warns for every stacked segment ending at 0.
    double absent = 0.0;
};

ScoreChart::ScoreChart(QWidget* parent) : QWidget(parent), m(std::make_unique<Impl>()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(6, 2, 6, 0);
    m->sortedBox = new QCheckBox(tr("S&orted (scree)"), this);
    m->sortedBox->setObjectName(QStringLiteral("screeToggle"));
    m->sortedBox->setToolTip(tr("Bars in prune order with the cumulative score mass; drag the red cut line to choose how many layers to remove"));
    m->scaleBox = new QComboBox(this);
    m->scaleBox->setObjectName(QStringLiteral("scaleChooser"));
    m->scaleBox->addItems({tr("Auto scale"), tr("Linear scale"), tr("Log scale")});  // Scale order
    m->scaleBox->setToolTip(tr("Auto: a log axis when the values span more than two decades"));
    controls->addWidget(m->sortedBox);
    controls->addWidget(m->scaleBox);
    auto* caption = new QLabel(tr("error bars: ± shard sd"), this);
    caption->setToolTip(tr("Each bar's error bar is ± the standard deviation of the metric across the calibration shards"));
    caption->setEnabled(false);  // secondary text
    controls->addWidget(caption, 1, Qt::AlignRight);
    layout->addLayout(controls);
    m->view = makeChartView(this, m->chart, layout);
    m->view->viewport()->installEventFilter(this);
    m->view->viewport()->setMouseTracking(true);
    m->chart->setTitle(tr("No analysis yet"));
    connect(m->sortedBox, &QCheckBox::toggled, this, &ScoreChart::setSorted);
    connect(m->chart, &QChart::plotAreaChanged, this, &ScoreChart::fitToWidth);
    connect(m->scaleBox, &QComboBox::currentIndexChanged, this, [this](int i) { setScale(static_cast<Scale>(i)); });
}

ScoreChart::~ScoreChart() = default;

void ScoreChart::setScores(const avss::LayerScores* scores, const Plan& plan) {
    const bool sameBars = scores && m->scores && !m->sets.empty() && scores->metric == m->scores->metric &&
                          std::equal(scores->layers.begin(), scores->layers.end(), m->scores->layers.begin(), m->scores->layers.end(),
                                     [](const avss::LayerScore& a, const avss::LayerScore& b) { return a.value == b.value && a.sd == b.sd; });
    m->plan = plan;
    if (sameBars) {
        m->scores = *scores;
        applyPlan();  // a slider move: recolour bars and move the cut, no rebuild
        return;
    }
    m->scores = scores ? std::optional<avss::LayerScores>(*scores) : std::nullopt;
    rebuild();
}

void ScoreChart::setSorted(bool sorted) {
    if (m->sortedBox->isChecked() != sorted) return m->sortedBox->setChecked(sorted);  // comes back through toggled
    if (m->sorted == sorted) return;
    m->sorted = sorted;
    rebuild();
}

void ScoreChart::setScale(Scale scale) {
    if (m->scaleBox->currentIndex() != static_cast<int>(scale)) return m->scaleBox->setCurrentIndex(static_cast<int>(scale));
    if (m->scale == scale) return;
    m->scale = scale;
    rebuild();
}

bool ScoreChart::isSorted() const { return m->sorted; }
bool ScoreChart::logScale() const { return m->logAxis; }
QWidget* ScoreChart::viewport() const { return m->view->viewport(); }

const avss::ScreeBar* ScoreChart::barOf(int layer) const {
    const auto it = std::find_if(m->scree.bars.begin(), m->scree.bars.end(), [&](const avss::ScreeBar& b) { return b.layer == layer; });
    return it == m->scree.bars.end() ? nullptr : &*it;
}

int ScoreChart::layerAt(int index) const {
    if (!m->sorted) return index;
    return index >= 0 && index < static_cast<int>(m->scree.bars.size()) ? m->scree.bars[static_cast<std::size_t>(index)].layer : -1;
}

void ScoreChart::rebuild() {
    m->chart->removeAllSeries();
    m->threshold = m->mass = nullptr;
    m->uncertain = nullptr;
    for (auto* axis : m->chart->axes()) m->chart->removeAxis(axis), delete axis;
    m->sets.clear();
    if (!m->scores || m->scores->layers.empty()) {
        m->chart->setTitle(tr("No analysis yet"));
        return;
    }
    const auto& scores = *m->scores;
    m->scree = avss::screeOf(scores, m->plan.removed, m->plan.protectedLayers, m->plan.valueThreshold);
    const auto& info = avss::findMetric(scores.metric);
    m->chart->setTitle(m->sorted ? tr("%1 in prune order").arg(toQString(info.name)) : tr("%1 per layer").arg(toQString(info.name)));
    auto* bars = new QStackedBarSeries;
    const QString names[3] = {tr("kept"), tr("removed"), tr("protected")};
    const QColor colours[3] = {viridis(0.55), QColor(0xd6, 0x27, 0x28), QColor(0x9e, 0x9e, 0x9e)};
    for (int i = 0; i < 3; ++i) {
        auto* set = new QBarSet(names[i]);
        set->setColor(colours[i]);
        set->setBorderColor(colours[i].darker(130));
        set->setSelectedColor(colours[i].darker(170));
        m->sets.push_back(set);
        connect(set, &QBarSet::clicked, this, [this](int index) { Q_EMIT layerClicked(layerAt(index)); });
        connect(set, &QBarSet::hovered, this, [this](bool on, int index) {
            if (on) QToolTip::showText(QCursor::pos(), tooltipFor(layerAt(index)), m->view);
            else QToolTip::hideText();
        });
    }
    const int n = static_cast<int>(scores.layers.size());
    double lo = 0, hi = 0, minPositive = INFINITY;
    bool allPositive = true;
    for (const auto& l : scores.layers) {
        const double v = std::isfinite(l.value) ? l.value : 0.0;
        const double sd = std::isfinite(l.sd) ? l.sd : 0.0;
        lo = std::min(lo, v - sd);
        hi = std::max(hi, v + sd);
        allPositive = allPositive && v > 0;
        if (v > 0) minPositive = std::min(minPositive, v);
    }
    // Auto: scores spanning more than two decades get a log axis, else the small bars would be invisible.
    m->logAxis = allPositive && (m->scale == Scale::Log || (m->scale == Scale::Auto && hi / minPositive > 100));
    m->yLow = m->logAxis ? std::pow(10.0, std::floor(std::log10(minPositive))) : lo;
    m->yHigh = m->logAxis ? hi * 2 : (hi > lo ? hi * 1.05 : lo + 1);
    m->absent = m->logAxis ? m->yLow * 1e-9 : 0.0;
    for (auto* set : m->sets) {
        for (int i = 0; i < n; ++i) set->append(m->absent);  // applyPlan() fills in the values
    }
    for (auto* set : m->sets) bars->append(set);
    bars->setBarWidth(0.75);
    m->chart->addSeries(bars);
    // By layer a value axis (its ticks thin out on narrow charts instead of eliding every label), bar
    // i at x = i; sorted, a category axis naming the layer under each position.
    QValueAxis* x = nullptr;
    if (m->sorted) {
        auto* cat = new QCategoryAxis;
        cat->setStartValue(-0.5);
        for (const auto& bar : m->scree.bars) cat->append(QString::number(bar.layer), bar.position + 0.5);
        cat->setTitleText(tr("layer, in prune order"));
        if (n > 12) {  // a category axis elides labels wider than one bar to "…": small, upright labels fit
            QFont small = cat->labelsFont();
            small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.75));
            cat->setLabelsFont(small);
            cat->setLabelsAngle(-90);
        }
        x = cat;
    } else {
        x = new QValueAxis;
        x->setTickType(QValueAxis::TicksDynamic);
        x->setTickAnchor(0);
        x->setTickInterval(1);  // fitToWidth() widens the step until the labels fit
        x->setLabelFormat(QStringLiteral("%d"));
        x->setTitleText(tr("layer"));
    }
    x->setRange(-0.5, n - 0.5);
    x->setGridLineVisible(false);
    QAbstractAxis* y = nullptr;
    if (m->logAxis) {
        auto* logY = new QLogValueAxis;
        logY->setBase(10);
        logY->setRange(m->yLow, m->yHigh);
        logY->setLabelFormat(QStringLiteral("%.0e"));
        logY->setMinorTickCount(-1);
        y = logY;
    } else {
        auto* linY = new QValueAxis;
        linY->setRange(m->yLow, m->yHigh);
        linY->applyNiceNumbers();
        linY->setLabelFormat(QStringLiteral("%.3g"));
        m->yLow = linY->min();
        m->yHigh = linY->max();
        y = linY;
    }
    y->setTitleText(toQString(info.name) + (m->logAxis ? tr(" (log scale)") : QString()));
    m->chart->addAxis(x, Qt::AlignBottom);
    m->chart->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(x);
    bars->attachAxis(y);
    for (int i = 0; i < n; ++i) {  // error bars: one vertical segment per bar
        const auto& l = scores.layers[static_cast<std::size_t>(layerAt(i))];
        if (!std::isfinite(l.sd) || !std::isfinite(l.value) || l.sd <= 0) continue;
        auto* err = new QLineSeries;
        err->append(i, m->logAxis ? std::max(l.value - l.sd, m->yLow) : l.value - l.sd);
        err->append(i, l.value + l.sd);
        err->setPen(QPen(palette().color(QPalette::Text), 1.2));
        m->chart->addSeries(err);
        err->attachAxis(x);
        err->attachAxis(y);
        m->chart->legend()->markers(err).front()->setVisible(false);
    }
    m->threshold = new QLineSeries;
    m->threshold->setPen(QPen(QColor(0xd6, 0x27, 0x28), m->sorted ? 2.5 : 1.5, Qt::DashLine));
    m->chart->addSeries(m->threshold);
    m->threshold->attachAxis(x);
    m->threshold->attachAxis(y);
    if (m->sorted) addSortedOverlays();
    applyPlan();
    fitToWidth();
}

// Narrow charts: QtCharts elides what does not fit ("rem…", "…"), so the sorted axis drops its
// labels below a readable width per bar, the by-layer axis labels fewer ticks, and the legend goes;
// hovering a bar still says everything.
void ScoreChart::fitToWidth() {
    const auto area = m->chart->plotArea();
    const auto bars = m->scores ? static_cast<double>(m->scores->layers.size()) : 0.0;
    if (area.width() <= 0 || bars <= 0) return;
    if (auto* cat = qobject_cast<QCategoryAxis*>(m->chart->axes(Qt::Horizontal).value(0))) {
        const bool fits = area.width() / bars >= QFontMetricsF(cat->labelsFont()).height();
        cat->setLabelsVisible(fits);
        cat->setLabelsAngle(fits && bars > 12 ? -90 : 0);  // hidden rotated labels still squeeze the title to "…"
        cat->setTitleVisible(fits);  // QtCharts elides it to "…" without labels; the chart title says "in prune order"
    } else if (auto* byLayer = qobject_cast<QValueAxis*>(m->chart->axes(Qt::Horizontal).value(0))) {
        // The smallest tick step whose labels fit between ticks (QtCharts elides the rest to "…").
        const double need = 1.5 * QFontMetricsF(byLayer->labelsFont()).horizontalAdvance(QString::number(bars - 1));
        for (const int step : {1, 2, 5, 10, 20, 50, 100}) {
            if (area.width() / bars * step >= need || step == 100) {
                if (byLayer->tickInterval() != step) byLayer->setTickInterval(step);
                break;
            }
        }
    }
    if (auto* y = m->chart->axes(Qt::Vertical).value(0)) {  // a short chart elides the metric's name: the chart title has it
        y->setTitleVisible(area.height() >= QFontMetricsF(y->titleFont()).horizontalAdvance(y->titleText()));
    }
    m->chart->legend()->setVisible(m->chart->size().width() >= kLegendWidth);
}

// The sorted view's extra series: the cumulative score mass on a right-hand 0–1 axis (metrics whose
// values add up) and a marker above each uncertain layer.
void ScoreChart::addSortedOverlays() {
    auto* x = m->chart->axes(Qt::Horizontal).front();
    auto* y = m->chart->axes(Qt::Vertical).front();
    if (m->scree.hasMass) {
        auto* massAxis = new QValueAxis;
        massAxis->setRange(0, 1);
        massAxis->setLabelFormat(QStringLiteral("%.1f"));
        massAxis->setTitleText(tr("cumulative score mass"));
        massAxis->setGridLineVisible(false);
        m->chart->addAxis(massAxis, Qt::AlignRight);
        m->mass = new QLineSeries;
        m->mass->setName(tr("cumulative mass"));
        m->mass->setPen(QPen(viridis(0.1), 1.8));
        m->mass->setPointsVisible(true);
        m->chart->addSeries(m->mass);
        m->mass->attachAxis(x);
        m->mass->attachAxis(massAxis);
    }
    m->uncertain = new QScatterSeries;
    m->uncertain->setName(tr("uncertain"));  // the tooltip says which reason
    m->uncertain->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
    m->uncertain->setMarkerSize(10);
    m->uncertain->setColor(QColor(0xff, 0x7f, 0x0e));
    m->chart->addSeries(m->uncertain);
    m->uncertain->attachAxis(x);
    m->uncertain->attachAxis(y);
}

void ScoreChart::applyPlan() {
    if (!m->scores || m->sets.empty()) return;
    const auto& scores = *m->scores;
    m->scree = avss::screeOf(scores, m->plan.removed, m->plan.protectedLayers, m->plan.valueThreshold);
    const int n = static_cast<int>(scores.layers.size());
    for (int i = 0; i < n; ++i) {
        const int layer = layerAt(i);
        const auto& l = scores.layers[static_cast<std::size_t>(layer)];
        const int kind = contains(m->plan.removed, layer) ? 1 : contains(m->plan.protectedLayers, layer) ? 2 : 0;
        const double v = std::isfinite(l.value) ? l.value : 0.0;
        for (int s = 0; s < 3; ++s) m->sets[static_cast<std::size_t>(s)]->replace(i, s == kind ? v : m->absent);
    }
    if (m->mass) {
        QList<QPointF> points;
        for (const auto& bar : m->scree.bars) points.append({static_cast<double>(bar.position), bar.cumulativeMass});
        m->mass->replace(points);
    }
    if (m->uncertain) {
        QList<QPointF> points;
        for (const auto& bar : m->scree.bars) {
            if (!bar.uncertainAtCut && !bar.uncertainShards) continue;
            const double top = bar.value + (std::isfinite(bar.sd) ? bar.sd : 0.0);
            points.append({static_cast<double>(bar.position), std::min(m->yHigh, m->logAxis ? top * 1.3 : top + 0.04 * (m->yHigh - m->yLow))});
        }
        m->uncertain->replace(points);
    }
    showCut();
    const int keep = m->selected;
    m->selected = -1;
    setSelectedLayer(keep);
}

void ScoreChart::showCut() {
    m->threshold->clear();
    const auto n = static_cast<double>(m->scores->layers.size());
    if (m->sorted) {
        const auto x = cutX();
        if (x) {
            m->threshold->append(*x, m->yLow);
            m->threshold->append(*x, m->yHigh);
        }
        m->threshold->setName(x ? tr("cut: %1 removed").arg(m->plan.removed.size()) : tr("no value cut (reference-code rule)"));
        m->threshold->setVisible(x.has_value());
        return;
    }
    const auto cut = thresholdOf(*m->scores, m->plan);
    if (cut) {
        m->threshold->append(-0.5, *cut);
        m->threshold->append(n - 0.5, *cut);
    }
    m->threshold->setName(cut ? tr("threshold %1").arg(*cut, 0, 'g', 4) : tr("no value threshold"));
    m->threshold->setVisible(cut.has_value());
}

std::optional<double> ScoreChart::cutX() const { return m->sorted ? m->scree.cutPosition : std::nullopt; }

QPointF ScoreChart::chartPosition(QPointF value) const {
    if (!m->threshold) return {};
    return m->view->mapFromScene(m->chart->mapToPosition(value, m->threshold));
}

void ScoreChart::setSelectedLayer(int layer) {
    m->selected = layer;
    int index = layer;
    if (m->sorted) {
        const auto* bar = barOf(layer);
        index = bar ? bar->position : -1;
    }
    for (auto* set : m->sets) {
        set->deselectAllBars();
        if (index >= 0 && index < set->count() && set->at(index) != m->absent) set->selectBar(index);
    }
}

QString ScoreChart::tooltipFor(int layer) const {
    if (!m->scores) return {};
    const auto* found = barOf(layer);
    if (!found) return {};
    const auto& bar = *found;
    const auto& s = m->scores->layers[static_cast<std::size_t>(layer)];
    const auto& info = avss::findMetric(m->scores->metric);
    QStringList lines;
    lines << tr("<b>Layer %1</b>: %2").arg(layer).arg(toQString(info.name).toHtmlEscaped());
    lines << tr("value %1%2").arg(bar.lowerBound ? QStringLiteral("≥ ") : QString(), number(bar.value)) +
                 (bar.lowerBound ? tr(" (a lower bound: no near-zero element, the guard set its sparsity)") : QString());
    if (std::isfinite(bar.sd)) lines << tr("sd across shards %1").arg(number(bar.sd));
    lines << tr("rank %1 of %2 (0 = pruned first)").arg(s.rank).arg(m->scores->layers.size());
    if (info.usesData && m->scores->stability.applicable) {
        lines << tr("in the lowest %1 of %2 % of shards").arg(m->scores->stability.bottomCount).arg(100.0 * bar.bottomFrequency, 0, 'f', 0);
    }
    if (m->scree.hasMass) lines << tr("cumulative score mass %1 %").arg(100.0 * bar.cumulativeMass, 0, 'f', 1);
    lines << (bar.removed ? tr("removed by the plan") : bar.isProtected ? tr("protected") : tr("kept"));
    if (bar.uncertainAtCut) lines << tr("<i>uncertain: its error bar reaches the cut (%1)</i>").arg(number(*m->scree.cutValue));
    if (bar.uncertainShards) lines << tr("<i>uncertain: shards disagree whether it is among the lowest %1</i>").arg(m->scores->stability.bottomCount);
    return lines.join(QStringLiteral("<br>"));
}

bool ScoreChart::eventFilter(QObject* watched, QEvent* event) {
    if (watched != m->view->viewport() || !m->sorted || !m->threshold) return QWidget::eventFilter(watched, event);
    const auto type = event->type();
    if (type != QEvent::MouseButtonPress && type != QEvent::MouseMove && type != QEvent::MouseButtonRelease) {
        return QWidget::eventFilter(watched, event);
    }
    const auto* mouse = static_cast<QMouseEvent*>(event);
    const QPointF pos = mouse->position();
    const auto x = cutX();
    const bool nearCut = x && std::abs(chartPosition({*x, m->yLow}).x() - pos.x()) <= kGrabPixels;
    const double value = m->chart->mapToValue(m->view->mapToScene(pos.toPoint()), m->threshold).x();
    if (type == QEvent::MouseButtonPress && mouse->button() == Qt::LeftButton && nearCut) {
        m->dragging = true;
        return true;  // not a bar click
    }
    if (type == QEvent::MouseMove) {
        if (m->dragging) {
            m->threshold->replace({QPointF(value, m->yLow), QPointF(value, m->yHigh)});
            return true;
        }
        m->view->viewport()->setCursor(nearCut ? Qt::SplitHCursor : Qt::ArrowCursor);
        return false;
    }
    if (type == QEvent::MouseButtonRelease && m->dragging) {
        m->dragging = false;
        const int count = avss::screeCountAt(m->scree, value);
        showCut();  // back where the plan is until the plan changes
        Q_EMIT cutDragged(count);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace avss::ui
