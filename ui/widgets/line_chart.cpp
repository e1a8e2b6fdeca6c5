// LineChart (see line_chart.h): one QLineSeries per series, axes fitted to the points.
#include "widgets/line_chart.h"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "render/colour_map.h"
#include "widgets/chart_view.h"

namespace avss::ui {

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
    m->view = makeChartView(this, m->chart);
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
