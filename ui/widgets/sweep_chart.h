// The retention-curve chart of a sweep: one line per metric (random seeds lighter), the dense
// level (1.0), the 90 % line, the chance floor and the slider's count as a vertical marker. A click
// on a curve picks that count. The second QtCharts adapter beside score_chart.* (same rule: only
// these files see QtCharts).
#pragma once

#include <QPoint>
#include <QWidget>
#include <memory>

#include "widgets/sweep_curves.h"

namespace avss::ui {

class SweepChart : public QWidget {
    Q_OBJECT
public:
    explicit SweepChart(QWidget* parent = nullptr);
    ~SweepChart() override;

    // `current`: the metric whose curve is drawn bold (the plan's metric).
    void setCurves(const SweepCurves& curves, const QString& current, const QString& emptyText);
    const SweepCurves& curves() const;
    void setMarkedCount(int removed);  // the slider's number of removed blocks; −1 hides the marker
    int markedCount() const;

    // Where a (removed blocks, retention) value is drawn, in the chart view's viewport (tests click there).
    QPoint viewportPosition(const QPointF& value) const;
    QWidget* viewport() const;
    QSize sizeHint() const override { return {420, 300}; }
    QSize minimumSizeHint() const override { return {220, 150}; }

Q_SIGNALS:
    // `metric` is the curve's metric; empty for a random seed (its plans are not the explorer's random metric's).
    void countPicked(int removed, const QString& metric);

public Q_SLOTS:
    // A click on curve `label` at `value`: picks the nearest count that curve has a point at.
    void pickPoint(const QPointF& value, const QString& label);

private:
    void drawMarker();
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace avss::ui
