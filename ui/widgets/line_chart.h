// A line chart with markers (measured retention, fine-tuning loss): a QtCharts adapter fed with points.
#pragma once

#include <QPointF>
#include <QString>
#include <QWidget>
#include <memory>
#include <vector>

namespace avss::ui {

struct ChartSeries {
    QString name;
    std::vector<QPointF> points;  // sorted by x when drawn
};

// A line chart with markers: retention vs layers removed, later the fine-tuning loss.
class LineChart : public QWidget {
    Q_OBJECT
public:
    LineChart(const QString& title, const QString& xTitle, const QString& yTitle, QWidget* parent = nullptr);
    ~LineChart() override;
    void setSeries(const std::vector<ChartSeries>& series, const QString& emptyText);
    void setXRange(double min, double max);  // integer ticks between min and max
    void setYFloor(double floor);             // the y axis starts here (or lower if the data does)
    QSize sizeHint() const override { return {380, 260}; }
    QSize minimumSizeHint() const override { return {220, 150}; }

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace avss::ui
