// QtCharts adapter of the sweep chart: reference lines first, then the curves, then the marker.
#include "widgets/sweep_chart.h"

#include <QChart>
#include <QChartView>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "render/colour_map.h"

namespace avss::ui {
namespace {

// The smallest of 0.1, 0.2, 0.5 × 10^k at least `raw`: about six ticks whatever the range.
double niceStep(double raw) {
    const double decade = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * decade >= raw) return m * decade;
    }
    return 10 * decade;
}

}  // namespace

struct SweepChart::Impl {
    QChart* chart = new QChart;
    QChartView* view = nullptr;
    QValueAxis* x = new QValueAxis;
    QValueAxis* y = new QValueAxis;
    QLineSeries* marker = nullptr;
    SweepCurves curves;
    int marked = -1;
    double lo = 0, hi = 1.05;

    QLineSeries* add(const QString& name, const QPen& pen, bool inLegend = true) {
        auto* s = new QLineSeries;
        s->setName(name);
        s->setPen(pen);
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        if (!inLegend) chart->legend()->markers(s).front()->setVisible(false);
        return s;
    }
    void level(const QString& name, double value, const QPen& pen) {
        auto* s = add(name, pen);
        s->append(-1, value);
        s->append(std::max(curves.layers, 1) + 1, value);
    }
};

SweepChart::SweepChart(QWidget* parent) : QWidget(parent), m(std::make_unique<Impl>()) {
    m->view = new QChartView(m->chart, this);
    m->view->setRenderHint(QPainter::Antialiasing);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m->view);
    m->chart->setMargins(QMargins(4, 4, 4, 4));
    m->chart->legend()->setAlignment(Qt::AlignRight);  // a dozen curves: one per row, names not elided
    QFont legendFont = m->chart->legend()->font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.85);
    m->chart->legend()->setFont(legendFont);
    m->x->setTitleText(tr("blocks removed"));
    m->x->setLabelFormat(QStringLiteral("%d"));
    m->y->setTitleText(tr("retention (dense = 1)"));
    m->y->setLabelFormat(QStringLiteral("%.2f"));
    m->chart->addAxis(m->x, Qt::AlignBottom);
    m->chart->addAxis(m->y, Qt::AlignLeft);
    setCurves({}, {}, tr("No sweep yet."));
}

SweepChart::~SweepChart() = default;

const SweepCurves& SweepChart::curves() const { return m->curves; }
int SweepChart::markedCount() const { return m->marked; }
QWidget* SweepChart::viewport() const { return m->view->viewport(); }

void SweepChart::setCurves(const SweepCurves& curves, const QString& current, const QString& emptyText) {
    m->curves = curves;
    m->chart->removeAllSeries();
    m->marker = nullptr;
    int last = 1;  // the largest count swept: the curves fill the width
    for (const auto& c : curves.curves) {
        for (const auto& p : c.points) last = std::max(last, static_cast<int>(p.x()));
    }
    m->x->setRange(-0.3, last + 0.3);
    m->x->setTickType(QValueAxis::TicksDynamic);
    m->x->setTickAnchor(0);
    m->x->setTickInterval(std::max(1.0, std::ceil(last / 8.0)));
    if (curves.empty()) {
        m->chart->setTitle(tr("Retention sweep<br><small>%1</small>").arg(emptyText.toHtmlEscaped()));
        m->chart->legend()->setVisible(false);
        return;
    }
    const auto number = [](std::optional<double> v) { return v ? QString::number(*v, 'g', 4) : QStringLiteral("–"); };
    m->chart->setTitle(tr("%1 · %2<br><small>dense %3, chance floor %4</small>")
                           .arg(curves.task.toHtmlEscaped(), curves.metric.toHtmlEscaped(), number(curves.dense), number(curves.floor)));
    m->hi = 1.05;
    for (const auto& c : curves.curves) {
        for (const auto& p : c.points) m->hi = std::isfinite(p.y()) ? std::max(m->hi, p.y() * 1.05) : m->hi;
    }
    // A floor just above the curves (a model near chance) stays in view; one far above (a model much
    // worse than chance: its dense perplexity above the vocabulary size) only names its value in the legend.
    if (curves.floorRetention && *curves.floorRetention < 1.5 * m->hi) m->hi = std::max(m->hi, *curves.floorRetention * 1.05);
    const double step = niceStep(m->hi / 6);  // ticks at round retentions (0.2 up to 1.2), so 0.9 and 1.0 read off the axis
    m->hi = std::ceil(m->hi / step - 1e-9) * step;
    m->y->setRange(m->lo, m->hi);
    m->y->setTickType(QValueAxis::TicksDynamic);
    m->y->setTickAnchor(0);
    m->y->setTickInterval(step);
    const QColor grey(0x75, 0x75, 0x75);
    m->level(tr("dense = %1").arg(number(curves.dense)), 1.0, QPen(grey, 1.2));
    m->level(tr("90 % of dense"), 0.9, QPen(QColor(0xd6, 0x27, 0x28), 1.2, Qt::DashLine));
    if (curves.floorRetention) m->level(tr("chance floor = %1").arg(number(curves.floor)), *curves.floorRetention, QPen(grey, 1.2, Qt::DotLine));
    int metricIndex = 0, metricCount = 0;
    for (const auto& c : curves.curves) metricCount += c.random ? 0 : 1;
    bool randomNamed = false;
    for (const bool randomPass : {true, false}) {  // random seeds first: drawn beneath, so clicks reach the metrics
        for (const auto& c : curves.curves) {
            if (c.random != randomPass) continue;
            const double t = metricCount <= 1 ? 0.35 : 0.05 + 0.8 * metricIndex / (metricCount - 1.0);
            const QColor colour = c.random ? QColor(0xb0, 0xb0, 0xb0) : viridis(t);
            metricIndex += c.random ? 0 : 1;
            auto* s = m->add(c.random ? tr("random (seeds)") : c.label, QPen(colour, c.metric == current ? 3.2 : 1.6),
                             !c.random || !randomNamed);
            randomNamed = randomNamed || c.random;
            for (const auto& p : c.points) s->append(p);
            s->setPointsVisible(true);
            s->setMarkerSize(c.random ? 4 : 6);
            connect(s, &QLineSeries::clicked, this, [this, label = c.label](const QPointF& p) { pickPoint(p, label); });
        }
    }
    m->marker = m->add(QString(), QPen(QColor(0xd6, 0x27, 0x28, 170), 2.0), false);
    m->chart->legend()->setVisible(true);
    drawMarker();
}

void SweepChart::setMarkedCount(int removed) {
    m->marked = removed;
    drawMarker();
}

void SweepChart::drawMarker() {
    if (!m->marker) return;
    m->marker->clear();
    if (m->marked < 0) return;
    m->marker->append(m->marked, m->lo);
    m->marker->append(m->marked, m->hi);
}

QPoint SweepChart::viewportPosition(const QPointF& value) const {
    const QPointF inChart = m->chart->mapToPosition(value);
    return m->view->mapFromScene(m->chart->mapToScene(inChart));
}

void SweepChart::pickPoint(const QPointF& value, const QString& label) {
    const auto curve = std::find_if(m->curves.curves.begin(), m->curves.curves.end(), [&](const SweepCurve& c) { return c.label == label; });
    if (curve == m->curves.curves.end() || curve->points.empty()) return;
    const auto nearest = std::min_element(curve->points.begin(), curve->points.end(), [&](const QPointF& a, const QPointF& b) {
        return std::abs(a.x() - value.x()) < std::abs(b.x() - value.x());
    });
    Q_EMIT countPicked(static_cast<int>(std::lround(nearest->x())), curve->random ? QString() : curve->metric);
}

}  // namespace avss::ui
