// Logit-lens job: tokenises the prompt as `avss lens` does and runs the core's logitLens() (one
// forward pass, every layer through the final norm and the LM head) off the UI thread.
#pragma once

#include "workers/job_worker.h"

namespace avss::ui {

class LensWorker : public JobWorker {
    Q_OBJECT
public Q_SLOTS:
    void run(const avss::ui::LensRequest& request);
Q_SIGNALS:
    void finished(avss::ui::LensDone result);
};

}  // namespace avss::ui
