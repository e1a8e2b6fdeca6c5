// Retention sweep job: the core plans every metric at every count and scores each distinct removed
// set once, reading and writing the cell store next to the analysis cache.
#pragma once

#include "workers/job_worker.h"

namespace avss::ui {

class SweepWorker : public JobWorker {
    Q_OBJECT
public Q_SLOTS:
    void run(const avss::ui::SweepRequest& request);
Q_SIGNALS:
    void partial(avss::ui::SweepUpdate update);   // after every cell, so the curves fill while it runs
    void finished(avss::ui::SweepUpdate update);
};

}  // namespace avss::ui
