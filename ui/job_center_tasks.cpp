// JobCenter's benchmark-task jobs: loading the chosen task file and the retention sweep. Results
// reach the Workspace only while they belong to the current task and analysis.
#include <QMetaObject>

#include "job_center.h"
#include "util/qt_convert.h"
#include "workspace.h"

namespace avss::ui {

void JobCenter::connectTaskJobs() {
    connect(m_task.worker(), &TaskWorker::finished, this, &JobCenter::onTaskLoaded);
    connect(m_sweep.worker(), &SweepWorker::partial, this, [this](const SweepUpdate& u) { onSweepUpdate(u, false); });
    connect(m_sweep.worker(), &SweepWorker::finished, this, [this](const SweepUpdate& u) { onSweepUpdate(u, true); });
}

void JobCenter::openTask(const TaskChoice& choice) {
    if (choice == m_workspace.taskChoice() && (choice.isHeldOut() || m_workspace.taskData() || isBusy(JobKind::Task))) return;
    abandon(JobKind::Task);
    abandon(JobKind::Sweep);  // it scores the old task
    m_workspace.setTaskChoice(choice);
    if (choice.isHeldOut() || choice.file.isEmpty()) return;
    TaskRequest request{begin(JobKind::Task), choice};
    Q_EMIT statusMessage(tr("Reading %1 …").arg(choice.file));
    auto* worker = m_task.worker();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

void JobCenter::onTaskLoaded(const TaskLoaded& loaded) {
    if (!accept(JobKind::Task, loaded.jobId)) return;
    m_workspace.setTaskData(loaded.choice, loaded.task);
    Q_EMIT statusMessage(tr("%1: %2 items, %3 rows skipped")
                             .arg(toQString(loaded.task->title))
                             .arg(loaded.task->items.size())
                             .arg(loaded.task->skipped.size()));
}

void JobCenter::sweep(const QStringList& metrics, bool evaluateAtChance) {
    if (!m_workspace.model() || !m_workspace.hasAnalysis() || !m_workspace.taskData()) {
        Q_EMIT statusMessage(tr("Sweep needs an analysis and a loaded task file"));
        return;
    }
    SweepRequest request;
    request.jobId = begin(JobKind::Sweep);
    request.model = m_workspace.model();
    request.stats = m_workspace.analysis().stats;
    request.task = m_workspace.taskData();
    for (const auto& m : metrics) request.plan.metrics.push_back(toUtf8(m));
    request.plan.protectFirst = m_workspace.rule().protectFirst;
    request.plan.protectLast = m_workspace.rule().protectLast;
    m_sweepCacheFile = m_workspace.analysis().cacheFile;
    request.evaluateAtChance = evaluateAtChance;
    request.cellStore = toQString(avss::sweepCellStore(toPath(m_sweepCacheFile)));
    m_workspace.setSweep(nullptr);
    auto* worker = m_sweep.worker();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

void JobCenter::onSweepUpdate(const SweepUpdate& update, bool final) {
    if (final ? !accept(JobKind::Sweep, update.jobId) : update.jobId != m_tracks[JobKind::Sweep].current) return;
    if (m_workspace.analysis().cacheFile != m_sweepCacheFile) return;  // the analysis changed meanwhile
    m_workspace.setSweep(update.result);
    if (!final) return;
    const auto& r = *update.result;
    Q_EMIT statusMessage(tr("Sweep finished: %1 cells evaluated, %2 from the cell store (%3 s)").arg(r.computed).arg(r.reused).arg(r.seconds, 0, 'f', 1));
    for (const auto& note : r.notes) Q_EMIT statusMessage(toQString(note));
}

}  // namespace avss::ui
