// The per-layer heatmap: rows are the metrics the core scored (plus the variance and sparsity
// components), columns are layers, colour is the row-normalised value under viridis. Hover shows
// raw value, rank and shard spread; click or arrow keys select a cell; removed layers are hatched.
// A hallucination analysis adds its EAVSS, HSAV and HSS rows below; double-clicking a column asks
// for that layer to be toggled in the mitigation run. With a tuned copy's scores, it shows the
// original's rows, the tuned model's, or their per-layer difference.
#pragma once

#include <QImage>
#include <QStringList>
#include <QWidget>
#include <memory>
#include <vector>

#include "render/heatmap_grid.h"

namespace avss::ui {

class HeatmapView : public QWidget {
    Q_OBJECT
public:
    // A row label's tooltip (the metric explained) and the row whose label is under `pos` (-1: none).
    QString labelToolTip(int row) const;
    int labelRowAt(const QPointF& pos) const;
    explicit HeatmapView(QWidget* parent = nullptr);

    void setScores(std::shared_ptr<const std::vector<avss::LayerScores>> scores);  // null: nothing analysed
    void setHallucination(std::shared_ptr<const avss::HalluScores> scores, const QString& source);  // null: no such rows
    // A tuned model's scores and hallucination rows (null: no comparison) and which side to show.
    void setComparison(std::shared_ptr<const std::vector<avss::LayerScores>> tuned, std::shared_ptr<const avss::HalluScores> tunedHallu,
                       HeatmapSide side);
    HeatmapSide side() const { return m_tuned ? m_side : HeatmapSide::Original; }
    void setScale(HeatmapScale scale);
    void setRemovedLayers(const std::vector<int>& removed);
    void setSelectedLayer(int layer);
    void setPlaceholder(const QString& text);  // shown while there is nothing to draw; empty: the default hint
    const QString& placeholder() const { return m_placeholder; }
    void setCurrentRowId(const QString& id);  // follows the chosen metric
    // Each block's attention when blocks differ (Gemma 2/3: sliding or global), shown in the cells'
    // tool tips; empty when every block is alike.
    void setLayerKinds(const QStringList& kinds);
    QString toolTipFor(int row, int layer) const;  // a cell's tool tip (rich text)

    const HeatmapGrid& grid() const { return m_grid; }
    const std::vector<int>& removedLayers() const { return m_removed; }
    int selectedLayer() const { return m_layer; }
    int currentRow() const { return m_row; }
    QSize sizeHint() const override { return {900, 420}; }
    QSize minimumSizeHint() const override { return {360, 200}; }

Q_SIGNALS:
    void layerSelected(int layer);
    void metricActivated(const QString& metricId);  // the current row moved to a row of that metric
    void layerActivated(int layer);                  // a double click on the layer's column

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;  // tool tips
    void mousePressEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    struct Geometry {  // logical coordinates; recomputed from the widget size and font
        QRectF cells;
        double cellWidth = 0, cellHeight = 0;
        double tagWidth = 0;  // the "log" tag between labels and cells
        double labelWidth = 0;
        QRectF legend;
    };
    Geometry geometry() const;
    QRectF cellRect(const Geometry& g, int row, int layer) const;
    bool cellAt(const QPointF& pos, int* row, int* layer) const;
    void moveTo(int row, int layer);
    void rebuild();
    HeatmapGrid gridOf(const std::shared_ptr<const std::vector<avss::LayerScores>>& scores,
                       const std::shared_ptr<const avss::HalluScores>& hallu) const;
    void paintLabels(QPainter& p, const Geometry& g) const;
    void paintMarks(QPainter& p, const Geometry& g) const;
    void paintLegend(QPainter& p, const Geometry& g) const;

    std::shared_ptr<const std::vector<avss::LayerScores>> m_scores;
    std::shared_ptr<const avss::HalluScores> m_hallu;
    QString m_halluSource;
    std::shared_ptr<const std::vector<avss::LayerScores>> m_tuned;
    std::shared_ptr<const avss::HalluScores> m_tunedHallu;
    HeatmapSide m_side = HeatmapSide::Original;
    HeatmapScale m_scale = HeatmapScale::Value;
    HeatmapGrid m_grid;
    QStringList m_layerKinds;
    QImage m_cells;
    QString m_placeholder;
    std::vector<int> m_removed;
    int m_layer = -1, m_row = -1;
    int m_hoverLayer = -1, m_hoverRow = -1;
};

}  // namespace avss::ui
