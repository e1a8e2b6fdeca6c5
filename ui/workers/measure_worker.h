// What-if measurement job: perplexity of the dense model and of the model with the plan's blocks
// skipped, on a held-out slice of the calibration text (retention = PPL_dense / PPL_pruned).
#pragma once

#include "workers/job_worker.h"

namespace avss::ui {

class MeasureWorker : public JobWorker {
    Q_OBJECT
public Q_SLOTS:
    void run(const avss::ui::MeasureRequest& request);
Q_SIGNALS:
    void finished(avss::ui::MeasureResult result);
};

}  // namespace avss::ui
