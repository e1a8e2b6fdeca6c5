// Analysis job: calibration text → cache lookup → (forward passes with statistics → cache store)
// → scores under every registered metric. Cache-first; see AnalysisMode.
#pragma once

#include "workers/job_worker.h"

namespace avss::ui {

// The analysis itself, on the calling thread (the analysis worker's, or the mitigation worker's for
// a tuned model): request.jobId is copied into the result.
AnalysisResult analyseModel(const AnalysisRequest& request, const avss::CancelToken& cancel, const avss::ProgressFn& progress);

class AnalysisWorker : public JobWorker {
    Q_OBJECT
public Q_SLOTS:
    void run(const avss::ui::AnalysisRequest& request);
Q_SIGNALS:
    void finished(avss::ui::AnalysisResult result);
};

}  // namespace avss::ui
