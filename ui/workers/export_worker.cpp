// exportPrunedModel on the worker thread; a cancel or a failed self-check leaves no file behind
// (the core's guarantee), so the job only relays the outcome.
#include "workers/export_worker.h"

#include "util/qt_convert.h"

namespace avss::ui {

void ExportWorker::run(const ExportRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        ExportDone done;
        done.jobId = request.jobId;
        avss::ExportOptions options;
        options.format = request.format;
        done.result = avss::exportPrunedModel(*request.model, request.removed, toPath(request.outPath), options, progress, &cancel);
        Q_EMIT finished(done);
    });
}

}  // namespace avss::ui
