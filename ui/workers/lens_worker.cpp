// The lens of the prompt with the model's special tokens (BOS where the model adds one), as the CLI.
#include "workers/lens_worker.h"

#include "avss/error.h"
#include "util/qt_convert.h"

namespace avss::ui {

void LensWorker::run(const LensRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn&) {
        const auto tokens = request.model->tokenizer().encode(toUtf8(request.text));
        if (tokens.empty()) throw avss::UsageError({}, "the prompt gives no tokens");
        auto lens = std::make_shared<avss::LogitLens>(avss::logitLens(*request.model, tokens, request.options));
        cancel.throwIfCancelled();  // one forward pass: a cancel only drops the result
        LensDone done;
        done.jobId = request.jobId;
        done.model = request.model;
        done.lens = std::move(lens);
        done.skipped = request.options.skipLayers;
        Q_EMIT finished(done);
    });
}

}  // namespace avss::ui
