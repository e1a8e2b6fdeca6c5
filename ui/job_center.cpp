// Requests go to the workers by queued call; results, progress and errors come back by signal and
// are accepted only when they belong to the latest job of their kind.
#include "job_center.h"

#include <QDateTime>
#include <QMetaObject>
#include <algorithm>

#include "util/qt_convert.h"
#include "workspace.h"

namespace avss::ui {
namespace {

QString kindName(JobKind kind) {
    switch (kind) {
        case JobKind::Load: return QObject::tr("Loading the model");
        case JobKind::Analysis: return QObject::tr("Analysis");
        case JobKind::Measure: return QObject::tr("What-if measurement");
        case JobKind::Export: return QObject::tr("Export");
        case JobKind::Task: return QObject::tr("Loading the task");
        case JobKind::Sweep: return QObject::tr("Retention sweep");
        case JobKind::Lens: return QObject::tr("Logit lens");
    }
    return {};
}

}  // namespace

JobCenter::JobCenter(Workspace& workspace, QString cacheDir, QObject* parent)
    : QObject(parent), m_workspace(workspace), m_cacheDir(std::move(cacheDir)) {
    connectCommon(m_load.worker(), JobKind::Load);
    connectCommon(m_analysis.worker(), JobKind::Analysis);
    connectCommon(m_measure.worker(), JobKind::Measure);
    connectCommon(m_export.worker(), JobKind::Export);
    connectCommon(m_task.worker(), JobKind::Task);
    connectCommon(m_sweep.worker(), JobKind::Sweep);
    connectCommon(m_lens.worker(), JobKind::Lens);
    connect(m_load.worker(), &LoadWorker::finished, this, &JobCenter::onLoaded);
    connect(m_analysis.worker(), &AnalysisWorker::finished, this, &JobCenter::onAnalysed);
    connect(m_measure.worker(), &MeasureWorker::finished, this, &JobCenter::onMeasured);
    connect(m_export.worker(), &ExportWorker::finished, this, &JobCenter::onExported);
    connect(m_lens.worker(), &LensWorker::finished, this, [this](const LensDone& done) {
        if (accept(JobKind::Lens, done.jobId)) Q_EMIT lensFinished(done);
    });
    connectTaskJobs();

    m_probeDebounce.setSingleShot(true);
    m_probeDebounce.setInterval(150);
    connect(&m_probeDebounce, &QTimer::timeout, this, &JobCenter::probeCache);
    connect(&m_workspace, &Workspace::dataSourceChanged, this, [this] {
        abandon(JobKind::Analysis);  // its results would belong to the old data
        abandon(JobKind::Measure);
        abandon(JobKind::Sweep);
        probeCache();
    });
    applyComputeThreads();  // the first event of each worker thread, before any job
    connect(&m_workspace, &Workspace::settingsChanged, this, [this] {
        applyComputeThreads();
        const auto& path = m_workspace.modelPath();
        const auto& s = m_workspace.settings();
        if (!path.isEmpty() && (s.device != m_loadedDevice || s.weights != m_loadedWeights)) openModel(path);  // reload
        else m_probeDebounce.start();
    });
}

JobCenter::~JobCenter() = default;

template <class W>
void JobCenter::connectCommon(W* worker, JobKind kind) {
    connect(worker, &JobWorker::progressed, this, [this, kind](const JobProgress& p) {
        if (p.jobId == m_tracks[kind].current) Q_EMIT progressed(kind, p);
    });
    connect(worker, &JobWorker::failed, this, [this, kind](quint64 id, const QString& message) {
        if (!accept(kind, id)) return;
        if (kind == JobKind::Analysis && m_tracks[kind].mode == AnalysisMode::CacheOnly) {
            // A lookup the user did not ask for (new data or settings): say it beside Analyse, no dialog.
            Q_EMIT analysisMissing(tr("these data cannot be analysed: %1").arg(message));
            return;
        }
        Q_EMIT statusMessage(tr("%1 failed: %2").arg(kindName(kind), message));
        Q_EMIT errorRaised(tr("%1 failed").arg(kindName(kind)), message);
    });
    connect(worker, &JobWorker::cancelled, this, [this, kind](quint64 id) {
        if (accept(kind, id)) Q_EMIT statusMessage(tr("%1 cancelled").arg(kindName(kind)));
    });
}

JobId JobCenter::begin(JobKind kind) {
    auto& track = m_tracks[kind];
    track.current = m_nextId++;
    if (!track.busy) {
        track.busy = true;
        Q_EMIT busyChanged(kind, true);
    }
    return track.current;
}

bool JobCenter::accept(JobKind kind, JobId id) {
    auto& track = m_tracks[kind];
    if (id != track.current) return false;  // stale: a newer request replaced it
    track.busy = false;
    Q_EMIT busyChanged(kind, false);
    return true;
}

void JobCenter::abandon(JobKind kind) {
    auto& track = m_tracks[kind];
    if (!track.busy) return;
    cancel(kind);
    track.current = m_nextId++;  // its late signals are stale now
    track.busy = false;
    Q_EMIT busyChanged(kind, false);
}

void JobCenter::applyComputeThreads() {
    const int threads = m_workspace.settings().threads;
    if (threads == m_computeThreads) return;
    m_computeThreads = threads;
    m_load.setComputeThreads(threads);
    m_analysis.setComputeThreads(threads);
    m_measure.setComputeThreads(threads);
    m_export.setComputeThreads(threads);
    m_sweep.setComputeThreads(threads);
    m_lens.setComputeThreads(threads);
}

bool JobCenter::isBusy(JobKind kind) const {
    const auto it = m_tracks.find(kind);
    return it != m_tracks.end() && it->second.busy;
}

bool JobCenter::isAnyBusy() const {
    return std::any_of(m_tracks.begin(), m_tracks.end(), [](const auto& t) { return t.second.busy; });
}

void JobCenter::openModel(const QString& path) {
    LoadRequest request{begin(JobKind::Load), path, m_workspace.settings().device, m_workspace.settings().weights};
    m_loadedDevice = request.device;
    m_loadedWeights = request.weights;
    Q_EMIT statusMessage(tr("Loading %1 …").arg(path));
    auto* worker = m_load.worker();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

void JobCenter::onLoaded(const LoadResult& result) {
    if (!accept(JobKind::Load, result.jobId)) return;
    abandon(JobKind::Analysis);  // whatever ran on the old model is void now
    abandon(JobKind::Measure);
    abandon(JobKind::Sweep);
    abandon(JobKind::Lens);
    m_workspace.setModel(result.model, result.path);
    const auto& info = result.model->info();
    Q_EMIT statusMessage(tr("Loaded %1: %2 layers on %3 in %4 s")
                             .arg(toQString(info.name))
                             .arg(info.hparams.layers)
                             .arg(toQString(info.device))
                             .arg(info.loadSeconds, 0, 'f', 1));
    probeCache();
}

void JobCenter::probeCache() {
    if (!m_workspace.model() || isBusy(JobKind::Load)) return;
    const auto& track = m_tracks[JobKind::Analysis];
    if (track.busy && track.mode != AnalysisMode::CacheOnly) return;  // a real run is on its way; never supersede it
    analyse(AnalysisMode::CacheOnly);
}

void JobCenter::analyse(AnalysisMode mode) {
    if (!m_workspace.model()) {
        Q_EMIT statusMessage(tr("Open a model first"));
        return;
    }
    m_probeDebounce.stop();
    AnalysisRequest request;
    request.jobId = begin(JobKind::Analysis);
    m_tracks[JobKind::Analysis].mode = mode;
    request.mode = mode;
    request.model = m_workspace.model();
    request.data = m_workspace.dataSource();
    request.options = m_workspace.settings().collectOptions();
    request.cacheDir = m_cacheDir;
    request.cacheFile = m_workspace.cacheFileOverride();
    auto* worker = m_analysis.worker();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

void JobCenter::onAnalysed(const AnalysisResult& result) {
    if (!accept(JobKind::Analysis, result.jobId)) return;
    if (!result.stats) {
        Q_EMIT analysisMissing(result.cacheNote.isEmpty() ? tr("no cached analysis for this model, data and settings")
                                                          : result.cacheNote);
        return;
    }
    m_workspace.setAnalysis(result);
    const auto& p = result.stats->provenance;
    if (m_workspace.settings().collectOptions() != p.options) {  // every identity field of the options
        m_probeDebounce.start();  // settings were edited while this ran: look the current ones up too
    }
    Q_EMIT statusMessage(result.fromCache ? tr("Analysis from the cache (%1, %2 tokens)").arg(toQString(p.createdUtc)).arg(p.tokens)
                                          : tr("Analysis finished: %1 tokens, stored in %2").arg(p.tokens).arg(result.cacheFile));
    if (!result.cacheNote.isEmpty()) Q_EMIT statusMessage(result.cacheNote);
}

void JobCenter::measure() {
    const auto& plan = m_workspace.plan();
    if (!m_workspace.hasAnalysis() || !plan) {
        Q_EMIT statusMessage(tr("Measure needs an analysis and a valid pruning plan"));
        return;
    }
    const auto& settings = m_workspace.settings();
    const auto& task = m_workspace.taskChoice();
    if (!task.isHeldOut() && !m_workspace.taskData()) {
        Q_EMIT statusMessage(tr("Measure needs the task file loaded first (%1)").arg(task.file));
        return;
    }
    auto removed = plan->removed;
    std::sort(removed.begin(), removed.end());
    m_measureContext = {m_workspace.metric(), toQString(plan->description), m_workspace.analysis().cacheFile, task, {}};
    m_measureContext.setup = task.isHeldOut() ? MeasureSetup{settings.evalWindow, settings.evalTokens, {}, {}, 0,
                                                             m_workspace.model()->tokenizer().prependsBos()}
                                              : MeasureSetup{0, 0, task.name, task.file, task.limit};
    const auto& book = m_workspace.measurements();
    if (auto known = book.findRemoved(removed, m_measureContext.setup)) {  // measured before
        known->metric = m_measureContext.metric;
        known->rule = m_measureContext.rule;
        m_workspace.addMeasurement(*known);
        Q_EMIT statusMessage(tr("Retention %1 (from the measurement cache)").arg(known->retention(), 0, 'f', 3));
        return;
    }
    MeasureRequest request;
    request.jobId = begin(JobKind::Measure);
    request.model = m_workspace.model();
    request.corpus = m_workspace.analysis().corpus;
    request.analysis = m_workspace.analysis().stats;
    request.options.heldOut.window = settings.evalWindow;
    request.options.heldOut.maxTokens = settings.evalTokens;
    request.options.removed = removed;
    request.task = task.isHeldOut() ? nullptr : m_workspace.taskData();
    if (auto dense = book.findRemoved({}, m_measureContext.setup)) {  // the dense model is measured once per setup
        request.options.denseNll = dense->denseNll;
        if (dense->isTask()) {
            avss::MetricSummary known;
            known.name = toUtf8(dense->taskMetric);
            known.value = dense->denseScore;
            known.floor = dense->floor;
            known.higherIsBetter = dense->higherIsBetter;
            request.denseScore = known;
        }
    }
    auto* worker = m_measure.worker();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

void JobCenter::onMeasured(const MeasureResult& result) {
    if (!accept(JobKind::Measure, result.jobId)) return;
    if (m_workspace.analysis().cacheFile != m_measureContext.cacheFile) return;  // the analysis changed meanwhile
    if (m_workspace.taskChoice() != m_measureContext.task) return;                // so did the task
    const auto& setup = m_measureContext.setup;
    MeasuredPoint point;
    point.metric = m_measureContext.metric;
    point.rule = m_measureContext.rule;
    point.removed = result.removed;
    point.denseNll = result.denseNll;
    point.prunedNll = result.prunedNll;
    point.predictedTokens = result.predictedTokens;
    point.window = setup.window;
    point.evalTokens = setup.evalTokens;
    point.heldOutBos = setup.heldOutBos;
    point.note = result.note;
    point.measuredUtc = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    if (result.dense && result.pruned) {
        point.task = setup.task;
        point.taskFile = setup.taskFile;
        point.taskLimit = setup.taskLimit;
        point.taskMetric = toQString(result.dense->name);
        point.denseScore = result.dense->value;
        point.prunedScore = result.pruned->value;
        point.floor = result.dense->floor;
        point.higherIsBetter = result.dense->higherIsBetter;
        point.items = result.items;
    }
    if (!result.removed.empty() && !m_workspace.measurements().findRemoved({}, setup)) {
        MeasuredPoint dense = point;  // the dense model is the 0-layers-removed point of every metric
        dense.removed.clear();
        dense.prunedNll = dense.denseNll;
        dense.prunedScore = dense.denseScore;
        dense.note.clear();
        dense.rule = tr("dense model");
        m_workspace.addMeasurement(dense);
    }
    m_workspace.addMeasurement(point);
    const QString scores = point.isTask() ? tr("%1 %2 → %3").arg(point.taskMetric).arg(point.denseScore, 0, 'f', 4).arg(point.prunedScore, 0, 'f', 4)
                                          : tr("PPL %1 → %2").arg(point.densePerplexity(), 0, 'f', 2).arg(point.prunedPerplexity(), 0, 'f', 2);
    Q_EMIT statusMessage(tr("Retention %1 with %2 layers removed (%3)").arg(point.retention(), 0, 'f', 3).arg(point.removed.size()).arg(scores));
    if (!result.note.isEmpty()) Q_EMIT statusMessage(result.note);
}

void JobCenter::exportModel(const QString& outPath, avss::ExportFormat format) {
    const auto& plan = m_workspace.plan();
    if (!m_workspace.model() || !plan || plan->removed.empty()) {
        Q_EMIT statusMessage(tr("Export needs a plan that removes at least one layer"));
        return;
    }
    ExportRequest request;
    request.jobId = begin(JobKind::Export);
    request.model = m_workspace.model();
    request.removed = plan->removed;
    std::sort(request.removed.begin(), request.removed.end());
    request.outPath = outPath;
    request.format = format;
    Q_EMIT statusMessage(tr("Exporting %1 …").arg(outPath));
    auto* worker = m_export.worker();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

void JobCenter::onExported(const ExportDone& done) {
    if (!accept(JobKind::Export, done.jobId)) return;
    const auto& r = done.result;
    Q_EMIT statusMessage(tr("Exported %1: %2 → %3 blocks%4")
                             .arg(toQString(r.path))
                             .arg(r.layersBefore)
                             .arg(r.kept.size())
                             .arg(r.selfChecked ? tr(", self-check passed") : QString()));
    Q_EMIT exported(r);
}

void JobCenter::lens(const QString& text, const std::vector<int>& skipLayers) {
    if (!m_workspace.model()) {
        Q_EMIT statusMessage(tr("The logit lens needs a model"));
        return;
    }
    LensRequest request;
    request.jobId = begin(JobKind::Lens);
    request.model = m_workspace.model();
    request.text = text;
    request.options.skipLayers = skipLayers;
    request.options.attention = true;  // the Attention tab: from the same forward pass
    auto* worker = m_lens.worker();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

void JobCenter::cancelBusy(std::initializer_list<JobKind> kinds) {
    for (const JobKind kind : kinds) {
        if (isBusy(kind)) cancel(kind);
    }
}

void JobCenter::cancel(JobKind kind) {
    const JobId upTo = m_tracks[kind].current;
    switch (kind) {
        case JobKind::Load: m_load.worker()->cancel(upTo); break;
        case JobKind::Analysis: m_analysis.worker()->cancel(upTo); break;
        case JobKind::Measure: m_measure.worker()->cancel(upTo); break;
        case JobKind::Export: m_export.worker()->cancel(upTo); break;
        case JobKind::Task: m_task.worker()->cancel(upTo); break;
        case JobKind::Sweep: m_sweep.worker()->cancel(upTo); break;
        case JobKind::Lens: m_lens.worker()->cancel(upTo); break;
    }
}

}  // namespace avss::ui
