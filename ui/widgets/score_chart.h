// Charts of the explorer. This header and score_chart.cpp (with sweep_chart.*, the sweep's curves) are
// the only QtCharts adapters: widgets elsewhere see plain QWidgets fed with core values.
#pragma once

#include <QPointF>
#include <QString>
#include <QWidget>
#include <memory>
#include <vector>

#include "avss/layer_scores.h"

namespace avss::ui {

// Bars of one metric per layer, error bars = value ± shard sd, bars coloured by the current plan
// (kept / removed / protected) and the plan's threshold as a dashed line.
class ScoreChart : public QWidget {
    Q_OBJECT
public:
    explicit ScoreChart(QWidget* parent = nullptr);
    ~ScoreChart() override;

    struct Plan {
        std::vector<int> removed, protectedLayers;
        bool valueThreshold = true;  // false for rules that do not cut on the value (reference code)
    };
    void setScores(const avss::LayerScores* scores, const Plan& plan);  // null clears
    void setSelectedLayer(int layer);
    QSize sizeHint() const override { return {900, 380}; }
    QSize minimumSizeHint() const override { return {320, 200}; }

Q_SIGNALS:
    void layerClicked(int layer);

private:
    void rebuild(const avss::LayerScores* scores, const Plan& plan);
    void applyPlan(const avss::LayerScores& scores, const Plan& plan);
    struct Impl;
    std::unique_ptr<Impl> m;
};

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
