// The what-if measurement: the core's measureWhatIf() (the same call as `avss perplexity
// --held-out-from`), or with a benchmark task the Evaluator (as `avss eval --skip-layers`), both
// skipping blocks on the loaded model, so no copy of the weights is made.
#include "workers/measure_worker.h"

#include <QStringList>

#include "avss/evaluator.h"
#include "avss/sweep.h"
#include "util/qt_convert.h"

namespace avss::ui {
namespace {

// The task's primary metric (the first of metricNames), as the sweep's retention uses it.
avss::MetricSummary primary(const avss::EvalResult& r) {
    if (r.metrics.empty()) throw std::runtime_error(r.task + ": the evaluation returned no metric");
    return r.metrics[avss::kPrimaryMetric];
}

MeasureResult measureTask(const MeasureRequest& request, const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
    avss::Evaluator evaluator(request.model);
    avss::EvalOptions options;
    MeasureResult result;
    result.jobId = request.jobId;
    result.removed = request.options.removed;
    result.task = toQString(request.task->task);
    result.dense = request.denseScore;
    if (!result.dense) {  // once per task: later measurements reuse it from the measurement book
        const auto dense = evaluator.run(*request.task, options, progress, &cancel);
        result.dense = primary(dense);
        result.items = dense.items;
    }
    if (result.removed.empty()) {
        result.pruned = result.dense;
    } else {
        options.skipLayers = result.removed;
        const auto pruned = evaluator.run(*request.task, options, progress, &cancel);
        result.pruned = primary(pruned);
        result.items = pruned.items;
        QStringList notes;
        for (const auto& n : pruned.notes) notes << toQString(n);
        result.note = notes.join(QStringLiteral("; "));
    }
    return result;
}

}  // namespace

void MeasureWorker::run(const MeasureRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        if (request.task) {
            Q_EMIT finished(measureTask(request, cancel, progress));
            return;
        }
        const auto r = avss::measureWhatIf(*request.model, *request.corpus, request.analysis->provenance, request.options,
                                           progress, &cancel);
        MeasureResult result;
        result.jobId = request.jobId;
        result.removed = r.removed;
        result.denseNll = r.denseNll;
        result.prunedNll = r.prunedNll;
        result.predictedTokens = r.predictedTokens;
        result.heldOutStart = r.heldOutStart;
        result.note = toQString(r.note);
        Q_EMIT finished(result);
    });
}

}  // namespace avss::ui
