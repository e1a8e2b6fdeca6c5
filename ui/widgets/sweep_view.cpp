// Sweep tab: widgets → JobCenter::sweep; Workspace::sweep → sweepCurves → the chart.
#include "widgets/sweep_view.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

#include "avss/sweep.h"
#include "job_center.h"
#include "util/qt_convert.h"
#include "widgets/sweep_chart.h"
#include "workspace.h"

namespace avss::ui {

SweepView::SweepView(Workspace& workspace, JobCenter& jobs, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_jobs(jobs), m_metrics(new QToolButton(this)), m_metricMenu(new QMenu(this)),
      m_sweep(new QPushButton(tr("&Sweep"), this)), m_cancel(new QPushButton(tr("Cancel"), this)),
      m_atChance(new QCheckBox(tr("Even at chance"), this)), m_status(new QLabel(this)),
      m_chart(new SweepChart(this)) {
    m_metrics->setText(tr("Metrics"));
    m_metrics->setMenu(m_metricMenu);
    m_metrics->setPopupMode(QToolButton::InstantPopup);
    m_metrics->setToolTip(tr("The metrics whose plans the sweep compares (one curve each; random: one per seed)"));
    m_sweep->setObjectName(QStringLiteral("sweepButton"));
    m_sweep->setToolTip(tr("Score the task with each metric's plan at 0–50 % of the blocks removed. Cells scored before "
                           "(same task file, limit and removed blocks) come from the cell store next to the analysis cache."));
    m_atChance->setToolTip(tr("Score the pruned cells even when the dense model cannot be told from chance on this task "
                              "(its 95 % interval reaches the floor). Off: the sweep stops after the dense cell, since "
                              "retention would only measure noise."));
    m_status->setWordWrap(true);
    auto* row = new QHBoxLayout;
    row->addWidget(m_metrics);
    row->addWidget(m_sweep);
    row->addWidget(m_cancel);
    row->addWidget(m_atChance);
    row->addWidget(m_status, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_chart, 1);
    connect(m_sweep, &QPushButton::clicked, this, &SweepView::start);
    connect(m_cancel, &QPushButton::clicked, this, [this] { m_jobs.cancelBusy({JobKind::Sweep}); });
    connect(m_chart, &SweepChart::countPicked, this, &SweepView::countPicked);
    connect(&m_workspace, &Workspace::analysisChanged, this, &SweepView::fillMetricMenu);
    connect(&m_workspace, &Workspace::sweepChanged, this, &SweepView::showSweep);
    connect(&m_workspace, &Workspace::metricChanged, this, &SweepView::showSweep);
    connect(&m_workspace, &Workspace::planChanged, this, &SweepView::showMarker);
    connect(&m_workspace, &Workspace::taskChanged, this, &SweepView::updateButtons);
    connect(&m_jobs, &JobCenter::busyChanged, this, [this](JobKind kind, bool busy) {
        if (kind != JobKind::Sweep && kind != JobKind::Task) return;
        updateButtons();
        if (kind == JobKind::Sweep && !busy) showSweep();
    });
    connect(&m_jobs, &JobCenter::progressed, this, [this](JobKind kind, const JobProgress& p) {
        if (kind == JobKind::Sweep) showProgress(p);
    });
    fillMetricMenu();
    showSweep();
}

void SweepView::start() {
    m_jobs.sweep(chosenMetrics(), m_atChance->isChecked());
    Q_EMIT sweepStarted();
}

QStringList SweepView::chosenMetrics() const {
    QStringList out;
    for (auto* action : m_metricMenu->actions()) {
        if (action->isChecked()) out << action->data().toString();
    }
    return out;
}

void SweepView::fillMetricMenu() {
    m_metricMenu->clear();
    const auto& scores = m_workspace.analysis().scores;
    if (!scores) return updateButtons();
    if (!m_chosenSet) {
        for (const auto& id : avss::defaultSweepMetrics()) m_chosen.insert(toQString(id));
        m_chosenSet = true;
    }
    for (const auto& s : *scores) {
        const QString id = toQString(s.metric);
        auto* action = m_metricMenu->addAction(toQString(avss::findMetric(s.metric).name));
        action->setData(id);
        action->setCheckable(true);
        action->setChecked(m_chosen.contains(id));
        connect(action, &QAction::toggled, this, [this, id](bool on) {
            if (on) m_chosen.insert(id);
            else m_chosen.remove(id);
            updateButtons();
        });
    }
    updateButtons();
}

void SweepView::showSweep() {
    const auto& sweep = m_workspace.sweep();
    const QString hint = m_workspace.taskChoice().isHeldOut() ? tr("Choose a task file above, then press Sweep.")
                                                             : tr("Press Sweep to draw retention curves.");
    m_chart->setCurves(sweep ? sweepCurves(*sweep) : SweepCurves{}, m_workspace.metric(),
                       m_jobs.isBusy(JobKind::Sweep) ? tr("Waiting for the first cell …") : hint);
    showMarker();
    if (sweep && !m_jobs.isBusy(JobKind::Sweep)) {
        m_status->setText(tr("%1 cells evaluated, %2 from the cell store").arg(sweep->computed).arg(sweep->reused));
        if (!sweep->tasks.empty() && sweep->tasks.front().prunedSkipped) {
            m_status->setText(tr("The dense model cannot be told from chance on this task, so only its cell was scored "
                                 "(tick “Even at chance” to sweep anyway)."));
        }
    }
}

void SweepView::showMarker() {
    const auto& plan = m_workspace.plan();
    m_chart->setMarkedCount(plan ? static_cast<int>(plan->removed.size()) : -1);
}

void SweepView::showProgress(const JobProgress& p) {
    m_status->setText(tr("%1: %2 / %3 %4").arg(p.stage).arg(p.done).arg(p.total).arg(p.unit));
}

void SweepView::updateButtons() {
    const bool busy = m_jobs.isBusy(JobKind::Sweep);
    m_sweep->setEnabled(!busy && m_workspace.hasAnalysis() && m_workspace.taskData() && !chosenMetrics().isEmpty());
    m_cancel->setEnabled(busy);
    m_atChance->setEnabled(!busy);
    m_metrics->setEnabled(!busy && m_workspace.hasAnalysis());
    if (!busy && !m_workspace.sweep()) m_status->clear();
}

}  // namespace avss::ui
