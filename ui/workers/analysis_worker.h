// Analysis job: calibration text → cache lookup → (forward passes with statistics → cache store)
// → scores under every registered metric. Cache-first; see AnalysisMode.
#pragma once

#include "workers/job_worker.h"

namespace avss::ui {

class AnalysisWorker : public JobWorker {
    Q_OBJECT
public Q_SLOTS:
    void run(const avss::ui::AnalysisRequest& request);
Q_SIGNALS:
    void finished(avss::ui::AnalysisResult result);
};

}  // namespace avss::ui
