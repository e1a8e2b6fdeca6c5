// The what-if measurement: the core's measureWhatIf() (the same call as `avss perplexity
// --held-out-from`), skipping blocks on the loaded model, so no copy of the weights is made.
#include "workers/measure_worker.h"

#include "util/qt_convert.h"

namespace avss::ui {

void MeasureWorker::run(const MeasureRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
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
