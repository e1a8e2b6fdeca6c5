// The background jobs of the explorer: one long-lived worker thread per job kind, job ids so that
// only the latest request of each kind is delivered, and the glue from results to the Workspace.
// Declared after the Workspace in MainWindow, so its threads stop before the model goes away.
#pragma once

#include <QObject>
#include <QTimer>
#include <initializer_list>
#include <map>

#include "measurement_book.h"

#include "workers/analysis_worker.h"
#include "workers/export_worker.h"
#include "workers/lens_worker.h"
#include "workers/load_worker.h"
#include "workers/measure_worker.h"
#include "workers/sweep_worker.h"
#include "workers/task_worker.h"
#include "workers/worker_thread.h"

namespace avss::ui {

class Workspace;

class JobCenter : public QObject {
    Q_OBJECT
public:
    JobCenter(Workspace& workspace, QString cacheDir, QObject* parent = nullptr);
    ~JobCenter() override;

    // Each starts a job (or answers at once from a cache) and returns without waiting.
    void openModel(const QString& path);
    void analyse(AnalysisMode mode);
    void measure();
    // The current plan's blocks removed, self-checked; `format` may ask for the other format than the source's.
    void exportModel(const QString& outPath, avss::ExportFormat format = avss::ExportFormat::SameAsSource);
    void openTask(const TaskChoice& choice);   // held-out perplexity at once; a task file loads on a worker
    // Retention curves of these metrics on the loaded task, cache-first through the analysis's cell
    // store; the Workspace's sweep grows cell by cell.
    void sweep(const QStringList& metrics, bool evaluateAtChance = false);
    // The logit lens of `text` with these blocks skipped; the result comes as lensFinished.
    void lens(const QString& text, const std::vector<int>& skipLayers);
    void cancel(JobKind kind);  // direct call on the worker's atomic token; the job ends with `cancelled`
    // Cancels those of `kinds` that are busy: the one "cancel all" of the window and the panels.
    void cancelBusy(std::initializer_list<JobKind> kinds = {JobKind::Load, JobKind::Analysis, JobKind::Measure,
                                                            JobKind::Export, JobKind::Task, JobKind::Sweep, JobKind::Lens});

    bool isBusy(JobKind kind) const;
    bool isAnyBusy() const;  // what the window's Cancel (Esc) can stop
    const QString& cacheDir() const { return m_cacheDir; }

    // Workers, for tests that watch the raw signals.
    AnalysisWorker* analysisWorker() const { return m_analysis.worker(); }

Q_SIGNALS:
    void busyChanged(avss::ui::JobKind kind, bool busy);
    void progressed(avss::ui::JobKind kind, const avss::ui::JobProgress& progress);
    void statusMessage(const QString& message);
    void errorRaised(const QString& title, const QString& message);
    void analysisMissing(const QString& reason);  // a cache lookup found nothing usable for these settings
    void exported(const avss::ExportResult& result);
    void lensFinished(const avss::ui::LensDone& done);

private:
    struct Track {      // the latest job of one kind
        JobId current = 0;
        bool busy = false;
        AnalysisMode mode = AnalysisMode::CacheOnly;  // analysis only
    };
    JobId begin(JobKind kind);
    bool accept(JobKind kind, JobId id);  // true when id is the current job; ends the busy state
    void abandon(JobKind kind);           // cancels the current job and ignores whatever it still reports
    template <class W>
    void connectCommon(W* worker, JobKind kind);
    void onLoaded(const LoadResult& result);
    void onAnalysed(const AnalysisResult& result);
    void onMeasured(const MeasureResult& result);
    void onExported(const ExportDone& done);
    void connectTaskJobs();  // job_center_tasks.cpp: task loading and the sweep
    void onTaskLoaded(const TaskLoaded& loaded);
    void onSweepUpdate(const SweepUpdate& update, bool final);
    void probeCache();
    void applyComputeThreads();  // the settings' thread budget to every worker thread, when it changed

    Workspace& m_workspace;
    QString m_cacheDir;
    JobId m_nextId = 1;
    std::map<JobKind, Track> m_tracks;
    avss::Device m_loadedDevice = avss::Device::Auto;
    avss::WeightStorage m_loadedWeights = avss::WeightStorage::Fp32;
    int m_computeThreads = -1;  // the budget last given to the worker threads (-1: none yet)
    QTimer m_probeDebounce;  // settings edits look the cache up 150 ms after the last change
    struct MeasureContext {
        QString metric, rule, cacheFile;
        TaskChoice task;
        MeasureSetup setup;
    } m_measureContext;
    QString m_sweepCacheFile;  // the analysis the running sweep belongs to
    WorkerThread<LoadWorker> m_load{"avss-load"};
    WorkerThread<AnalysisWorker> m_analysis{"avss-analysis"};
    WorkerThread<MeasureWorker> m_measure{"avss-measure"};
    WorkerThread<ExportWorker> m_export{"avss-export"};
    WorkerThread<TaskWorker> m_task{"avss-task"};
    WorkerThread<SweepWorker> m_sweep{"avss-sweep"};
    WorkerThread<LensWorker> m_lens{"avss-lens"};
};

}  // namespace avss::ui

Q_DECLARE_METATYPE(avss::ui::JobKind)
