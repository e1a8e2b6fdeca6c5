// The analysis job. The cache file is only ever replaced by StatsCache::store (temporary file +
// rename) after collection finished, so a cancel or a failure leaves it as it was.
#include "workers/analysis_worker.h"

#include <QDir>
#include <QFileInfo>

#include "avss/collect.h"
#include "avss/error.h"
#include "avss/stats_cache.h"
#include "util/qt_convert.h"
#include "workers/cache_location.h"

namespace avss::ui {
namespace {

// Scores under every registered metric that these statistics support; the others are listed with
// the core's reason (e.g. attention-output statistics were not collected).
void scoreAll(const avss::ActivationStats& stats, AnalysisResult& out) {
    auto scores = std::make_shared<std::vector<avss::LayerScores>>();
    for (const auto& metric : avss::metricRegistry()) {
        try {
            scores->push_back(avss::scoreLayers(stats, metric.id));
        } catch (const avss::UsageError& e) {
            out.unavailableMetrics << toQString(metric.id) + QStringLiteral(": ") + QString::fromUtf8(e.what());
        }
    }
    out.scores = std::move(scores);
}

// Stores freshly collected statistics; a cache that cannot be written is reported, not fatal.
QString storeInCache(const QString& file, const avss::ActivationStats& stats) {
    if (!QDir().mkpath(QFileInfo(file).absolutePath())) {
        return QObject::tr("not cached: cannot create the folder %1").arg(QFileInfo(file).absolutePath());
    }
    try {
        avss::StatsCache(toPath(file)).store(stats);
        return {};
    } catch (const avss::Error& e) {
        return QObject::tr("not cached: %1").arg(QString::fromUtf8(e.what()));
    }
}

}  // namespace

void AnalysisWorker::run(const AnalysisRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        if (request.threads > 0) avss::setComputeThreads(request.threads);  // applies to this thread's pool
        AnalysisResult result;
        result.jobId = request.jobId;
        result.mode = request.mode;
        avss::CorpusOptions corpusOptions;
        corpusOptions.jsonField = toUtf8(request.data.jsonField);
        // Checked and fingerprinted here; the text itself is read again, only as far as needed, when tokenized.
        auto corpus = std::make_shared<const avss::Corpus>(avss::openCorpus(toUtf8(request.data.source), corpusOptions));
        result.corpus = corpus;
        const auto wanted = avss::wantedProvenance(request.model->info(), *corpus, request.options);
        result.cacheFile = request.cacheFile.isEmpty() ? analysisCacheFile(request.cacheDir, wanted) : request.cacheFile;
        const avss::StatsCache cache(toPath(result.cacheFile));

        std::shared_ptr<const avss::ActivationStats> stats;
        if (request.mode != AnalysisMode::Recompute) {
            auto lookup = cache.find(wanted);
            if (lookup.hit()) {
                stats = std::make_shared<const avss::ActivationStats>(std::move(*lookup.stats));
                result.fromCache = true;
            } else if (lookup.status != avss::CacheStatus::Missing) {
                result.cacheNote = QString::fromUtf8(lookup.reason.c_str());
            }
        }
        if (!stats && request.mode != AnalysisMode::CacheOnly) {
            auto collected = avss::collectStats(*request.model, *corpus, request.options, progress, &cancel);
            cancel.throwIfCancelled();  // a cancel that came during the last batch still leaves the cache alone
            const QString note = storeInCache(result.cacheFile, collected);
            if (!note.isEmpty()) result.cacheNote = note;
            stats = std::make_shared<const avss::ActivationStats>(std::move(collected));
        }
        if (stats) {
            result.stats = stats;
            result.merged = std::make_shared<const avss::ShardStats>(stats->merged());
            scoreAll(*stats, result);
        }
        Q_EMIT finished(result);
    });
}

}  // namespace avss::ui
