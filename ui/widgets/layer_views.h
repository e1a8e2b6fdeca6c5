// The central views over the Workspace: heatmap (all metrics) above the chosen metric's bar chart,
// plus the per-layer table shown in its own dock. Keeps them in step with the analysis, metric,
// plan and selected layer, and sends clicks and key moves back to the Workspace.
#pragma once

#include <QSplitter>
#include <QTimer>

class QTableView;

namespace avss::ui {

class HeatmapView;
class LayerTableModel;
class ScoreChart;
class Workspace;

class LayerViews : public QSplitter {
    Q_OBJECT
public:
    explicit LayerViews(Workspace& workspace, QWidget* parent = nullptr);

    HeatmapView* heatmap() const { return m_heatmap; }
    ScoreChart* chart() const { return m_chart; }
    // The per-layer table of the chosen metric, for a dock (a child of the splitter would become a pane).
    QTableView* createTable(QWidget* parent);
    LayerTableModel* tableModel() const { return m_tableModel; }

private:
    void showAnalysis();
    void showPlan();
    void showSelection(int layer);
    void refreshChart();  // QtCharts rebuilds are the costly part: coalesced by m_chartRefresh

    Workspace& m_workspace;
    HeatmapView* m_heatmap;
    ScoreChart* m_chart;
    LayerTableModel* m_tableModel;
    QTableView* m_table = nullptr;
    QTimer m_chartRefresh;
};

}  // namespace avss::ui
