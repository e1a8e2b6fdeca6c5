// The selected layer: its value and rank under every metric, what the plan does with it, and the
// raw statistics behind the scores (merged over all calibration shards).
#pragma once

#include <QWidget>

class QLabel;
class QTableView;

namespace avss::ui {

class LayerDetailModel;
class Workspace;

class LayerDetail : public QWidget {
    Q_OBJECT
public:
    explicit LayerDetail(Workspace& workspace, QWidget* parent = nullptr);
    LayerDetailModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }

private:
    void refresh();

    Workspace& m_workspace;
    QLabel* m_header;
    QTableView* m_table;
    LayerDetailModel* m_model;
    QLabel* m_stats;
};

}  // namespace avss::ui
