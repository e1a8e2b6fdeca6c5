// The score chart: one metric's bars per layer or in prune order. This widget, line_chart.* and
// sweep_chart.* are the only QtCharts adapters: widgets elsewhere see plain QWidgets fed with core values.
#pragma once

#include <QPointF>
#include <QString>
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "avss/layer_scores.h"

namespace avss {
struct ScreeBar;
}

namespace avss::ui {

// Bars of one metric, error bars = value ± shard sd, bars coloured by the current plan (kept /
// removed / protected). By layer, the plan's threshold is a dashed horizontal line. Sorted (the
// "scree" view, avss::screeOf), bars follow the prune order with the cumulative score mass on a
// second axis, layers too close to the cut marked uncertain, and the cut is a vertical line that
// can be dragged. The y scale is automatic (log beyond two decades), linear or log.
class ScoreChart : public QWidget {
    Q_OBJECT
public:
    explicit ScoreChart(QWidget* parent = nullptr);
    ~ScoreChart() override;

    struct Plan {
        std::vector<int> removed, protectedLayers;
        bool valueThreshold = true;  // false for rules that do not cut on the value (reference code)
    };
    enum class Scale { Auto, Linear, Log };
    void setScores(const avss::LayerScores* scores, const Plan& plan);  // null clears
    void setSelectedLayer(int layer);
    void setSorted(bool sorted);
    void setScale(Scale scale);
    bool isSorted() const;
    bool logScale() const;            // the axis in use
    QString tooltipFor(int layer) const;  // what hovering the layer's bar shows
    std::optional<double> cutX() const;   // sorted view: where the cut line is drawn (bar positions)
    QPointF chartPosition(QPointF value) const;  // chart value → viewport pixel (tests, dragging)
    QWidget* viewport() const;
    QSize sizeHint() const override { return {900, 380}; }
    QSize minimumSizeHint() const override { return {320, 200}; }

Q_SIGNALS:
    void layerClicked(int layer);
    void cutDragged(int removed);     // sorted view: the cut was dropped with this many candidates left of it

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    void applyPlan();
    void addSortedOverlays();         // cumulative mass, uncertainty markers (sorted view)
    void showCut();
    void fitToWidth();                // axis labels and legend only where they fit
    int layerAt(int index) const;     // bar index → layer
    const avss::ScreeBar* barOf(int layer) const;  // the layer's bar in the scree (null: none)
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace avss::ui
