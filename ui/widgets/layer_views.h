// The central views over the Workspace: heatmap (all metrics) above the chosen metric's bar chart,
// plus the per-layer table shown in its own dock. Keeps them in step with the analysis, metric,
// plan and selected layer, and sends clicks and key moves back to the Workspace. Above the heatmap,
// once the model has hallucination analyses, a chooser picks whose EAVSS/HSAV/HSS rows it shows;
// once a tuned copy was analysed, another picks original, tuned or their difference.
#pragma once

#include <QSplitter>
#include <QTimer>

class QComboBox;
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
    QComboBox* hallucinationChooser() const { return m_halluChooser; }
    QComboBox* sideChooser() const { return m_sideChooser; }  // original, tuned, tuned − original
    ScoreChart* chart() const { return m_chart; }
    // The per-layer table of the chosen metric, for a dock (a child of the splitter would become a pane).
    QTableView* createTable(QWidget* parent);
    LayerTableModel* tableModel() const { return m_tableModel; }

private:
    void showAnalysis();
    void showPlan();
    void showSelection(int layer);
    void showOverlays();  // hallucination rows and the tuned comparison
    void refreshChart();  // QtCharts rebuilds are the costly part: coalesced by m_chartRefresh

    Workspace& m_workspace;
    QWidget* m_halluBar;
    QComboBox* m_halluChooser;
    QWidget* m_sideBox;
    QComboBox* m_sideChooser;
    HeatmapView* m_heatmap;
    ScoreChart* m_chart;
    LayerTableModel* m_tableModel;
    QTableView* m_table = nullptr;
    QTimer m_chartRefresh;
};

}  // namespace avss::ui
