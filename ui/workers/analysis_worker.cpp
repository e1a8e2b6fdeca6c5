// The analysis job: the core's obtainStats() (one cache-or-collect policy with `avss score`) and
// buildScoreReport(). The cache file is only replaced after collection finished.
#include "workers/analysis_worker.h"

#include "avss/collect.h"
#include "avss/error.h"
#include "avss/obtain_stats.h"
#include "avss/score_report.h"
#include "util/qt_convert.h"

namespace avss::ui {
namespace {

// The core's report with its default options (as `avss score` without options); the workspace
// plans live from the same scores.
void score(const avss::ActivationStats& stats, AnalysisResult& out) {
    auto report = std::make_shared<const avss::ScoreReport>(avss::buildScoreReport(stats));
    for (const auto& u : report->unavailable) out.unavailableMetrics << toQString(u.metric) + QStringLiteral(": ") + toQString(u.reason);
    out.scores = std::shared_ptr<const std::vector<avss::LayerScores>>(report, &report->scores);
    out.report = std::move(report);
}

}  // namespace

AnalysisResult analyseModel(const AnalysisRequest& request, const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
    AnalysisResult result;
    result.jobId = request.jobId;
    result.mode = request.mode;
    avss::CorpusOptions corpusOptions;
    corpusOptions.jsonField = toUtf8(request.data.jsonField);
    // Checked and fingerprinted here; the text itself is read again, only as far as needed, when tokenized.
    auto corpus = std::make_shared<const avss::Corpus>(avss::openCorpus(toUtf8(request.data.source), corpusOptions));
    result.corpus = corpus;
    avss::StatsRequest stats;
    stats.options = request.options;
    stats.policy = request.mode;
    stats.cacheFile = request.cacheFile.isEmpty()
                          ? avss::analysisCachePath(toPath(request.cacheDir),
                                                    avss::wantedProvenance(request.model->info(), *corpus, request.options))
                          : toPath(request.cacheFile);
    result.cacheFile = toQString(stats.cacheFile);
    auto got = avss::obtainStats(*request.model, *corpus, stats, progress, &cancel);
    result.fromCache = got.fromCache;
    result.cacheNote = toQString(got.cacheNote);
    if (got.stats) {
        result.stats = std::make_shared<const avss::ActivationStats>(std::move(*got.stats));
        result.merged = std::make_shared<const avss::ShardStats>(result.stats->merged());
        score(*result.stats, result);
    }
    return result;
}

void AnalysisWorker::run(const AnalysisRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        Q_EMIT finished(analyseModel(request, cancel, progress));
    });
}

}  // namespace avss::ui
