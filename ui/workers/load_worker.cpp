// Model loading job: the core checks the file (a folder or a foreign file is rejected with a message).
#include "workers/load_worker.h"

#include "util/qt_convert.h"

namespace avss::ui {

void LoadWorker::run(const LoadRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        avss::LoadOptions options;
        options.device = request.device;
        options.weights = request.weights;
        LoadResult result;
        result.jobId = request.jobId;
        result.path = request.path;
        result.model = avss::Model::load(toPath(request.path), options, progress, &cancel);
        Q_EMIT finished(result);
    });
}

}  // namespace avss::ui
