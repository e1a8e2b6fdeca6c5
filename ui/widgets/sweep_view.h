// The sweep tab of the pruning panel: which metrics to compare, the Sweep button, its progress and
// the retention curves, redrawn as each cell arrives. Picking a point is reported upwards.
#pragma once

#include <QSet>
#include <QWidget>

class QCheckBox;
class QLabel;
class QMenu;
class QPushButton;
class QToolButton;

namespace avss::ui {

class JobCenter;
class SweepChart;
class Workspace;
struct JobProgress;

class SweepView : public QWidget {
    Q_OBJECT
public:
    SweepView(Workspace& workspace, JobCenter& jobs, QWidget* parent = nullptr);
    SweepChart* chart() const { return m_chart; }
    QPushButton* sweepButton() const { return m_sweep; }
    QCheckBox* atChanceBox() const { return m_atChance; }
    QStringList chosenMetrics() const;  // registry order
    void start();                       // what the Sweep button does

Q_SIGNALS:
    void countPicked(int removed, const QString& metric);  // see SweepChart::countPicked
    void sweepStarted();

private:
    void fillMetricMenu();   // the analysis's metrics; the core's default sweep metrics checked first
    void showSweep();
    void showMarker();
    void showProgress(const JobProgress& progress);
    void updateButtons();

    Workspace& m_workspace;
    JobCenter& m_jobs;
    QToolButton* m_metrics;
    QMenu* m_metricMenu;
    QPushButton* m_sweep;
    QPushButton* m_cancel;
    QCheckBox* m_atChance;         // SweepOptions::evaluateAtChance
    QLabel* m_status;
    SweepChart* m_chart;
    QSet<QString> m_chosen;        // kept across analyses
    bool m_chosenSet = false;      // false until the first analysis filled the defaults
};

}  // namespace avss::ui
