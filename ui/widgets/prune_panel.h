// Pruning what-if: metric, selection rule and a slider. Every change recomputes the plan at once
// (pure score logic) and every view highlights the layers that would go. Measure runs the model
// with those blocks skipped in the background (held-out perplexity or the chosen task) and adds a
// point to the retention chart; Sweep draws whole retention curves, and a click on one moves the slider.
#pragma once

#include <QWidget>

#include "avss/pruning_plan.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QTabWidget;
class QTableView;

namespace avss {
struct ExportResult;
}

namespace avss::ui {

class JobCenter;
class LineChart;
class MeasurementModel;
class SweepView;
class TaskBox;
class Workspace;
struct JobProgress;

class PrunePanel : public QWidget {
    Q_OBJECT
public:
    PrunePanel(Workspace& workspace, JobCenter& jobs, QWidget* parent = nullptr);

    QSlider* slider() const { return m_slider; }
    QDoubleSpinBox* amountBox() const { return m_amount; }  // the slider's value, typed: layers, or mass in % to 0.1
    QComboBox* ruleBox() const { return m_rule; }
    void chooseRule(avss::RuleKind kind);  // as choosing it in the box: the plan keeps its size (avss::switchRule)
    LineChart* retentionChart() const { return m_chart; }
    MeasurementModel* measurementModel() const { return m_measurements; }
    QPushButton* exportButton() const { return m_export; }
    SweepView* sweepView() const { return m_sweepView; }
    TaskBox* taskBox() const { return m_taskBox; }
    QTableView* measurementTable() const { return m_table; }
    bool canExport() const;       // a plan that removes layers, a model, and no export running
    void chooseExportFile();      // file dialog, then JobCenter::exportModel
    static QString describeExport(const avss::ExportResult& result);  // rich text for the report

public Q_SLOTS:
    // A point picked on a sweep curve: that metric (if given) and `removed` blocks by the count rule.
    void pickCount(int removed, const QString& metric);
    // The score chart's cut dropped with `removed` candidates before it: the current rule kind,
    // moved to remove that many (avss::switchRule), or the count rule where it cannot.
    void pickRemoved(int removed);
    // A measured point double-clicked in its table: its metric and its number of blocks by the count
    // rule, with a note when that rule now picks other blocks than the point had.
    void restorePoint(int row);

private:
    QWidget* buildRuleBox();
    QWidget* buildMeasureBox();
    void syncFromWorkspace();  // ranges, metric list and labels after a new analysis or metric
    void applyTyped(double amount);  // a count or a mass in % typed into m_amount
    void applyRule();          // widgets → Workspace::setRule
    void showPlan();
    void showMeasurements();
    void showJobProgress(const JobProgress& progress);
    void updateButtons();

    Workspace& m_workspace;
    JobCenter& m_jobs;
    QComboBox* m_metric;
    QComboBox* m_rule;
    QSlider* m_slider;
    QDoubleSpinBox* m_amount;
    QCheckBox* m_protectFirst;
    QCheckBox* m_protectLast;
    QLabel* m_planText;
    QLabel* m_defaultNote;  // which metric is the default, with a link to why
    QPushButton* m_measure;
    QPushButton* m_cancel;
    QPushButton* m_export;
    QLabel* m_measureStatus;
    LineChart* m_chart;
    MeasurementModel* m_measurements;
    QTableView* m_table;
    TaskBox* m_taskBox;
    SweepView* m_sweepView;
    QTabWidget* m_tabs = nullptr;
    bool m_syncing = false;  // true while widgets are set from the workspace (no feedback loop)
};

}  // namespace avss::ui
