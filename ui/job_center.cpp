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
    connect(m_load.worker(), &LoadWorker::finished, this, &JobCenter::onLoaded);
    connect(m_analysis.worker(), &AnalysisWorker::finished, this, &JobCenter::onAnalysed);
    connect(m_measure.worker(), &MeasureWorker::finished, this, &JobCenter::onMeasured);
    connect(m_export.worker(), &ExportWorker::finished, this, &JobCenter::onExported);

    m_probeDebounce.setSingleShot(true);
    m_probeDebounce.setInterval(150);
    connect(&m_probeDebounce, &QTimer::timeout, this, &JobCenter::probeCache);
    connect(&m_workspace, &Workspace::dataSourceChanged, this, [this] {
        abandon(JobKind::Analysis);  // its results would belong to the old data
        abandon(JobKind::Measure);
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
}

bool JobCenter::isBusy(JobKind kind) const {
    const auto it = m_tracks.find(kind);
    return it != m_tracks.end() && it->second.busy;
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
    auto removed = plan->removed;
    std::sort(removed.begin(), removed.end());
    m_measureContext = {m_workspace.metric(), toQString(plan->description), m_workspace.analysis().cacheFile,
                        settings.evalWindow, settings.evalTokens};
    const auto& book = m_workspace.measurements();
    if (auto known = book.findRemoved(removed, settings.evalWindow, settings.evalTokens)) {  // measured before
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
    if (auto dense = book.findRemoved({}, settings.evalWindow, settings.evalTokens)) request.options.denseNll = dense->denseNll;
    auto* worker = m_measure.worker();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

void JobCenter::onMeasured(const MeasureResult& result) {
    if (!accept(JobKind::Measure, result.jobId)) return;
    if (m_workspace.analysis().cacheFile != m_measureContext.cacheFile) return;  // the analysis changed meanwhile
    const auto now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    MeasuredPoint point{m_measureContext.metric, m_measureContext.rule, result.removed, result.denseNll, result.prunedNll,
                        result.predictedTokens, m_measureContext.window, m_measureContext.evalTokens, result.note, now};
    if (!result.removed.empty() && !m_workspace.measurements().findRemoved({}, point.window, point.evalTokens)) {
        MeasuredPoint dense = point;  // the dense model is the 0-layers-removed point of every metric
        dense.removed.clear();
        dense.prunedNll = dense.denseNll;
        dense.rule = tr("dense model");
        m_workspace.addMeasurement(dense);
    }
    m_workspace.addMeasurement(point);
    Q_EMIT statusMessage(tr("Retention %1 with %2 layers removed (PPL %3 → %4)")
                             .arg(point.retention(), 0, 'f', 3)
                             .arg(point.removed.size())
                             .arg(point.densePerplexity(), 0, 'f', 2)
                             .arg(point.prunedPerplexity(), 0, 'f', 2));
    if (!result.note.isEmpty()) Q_EMIT statusMessage(result.note);
}

void JobCenter::exportModel(const QString& outPath) {
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
    }
}

}  // namespace avss::ui
