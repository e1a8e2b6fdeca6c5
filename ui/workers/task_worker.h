// Reads a benchmark task file (avss::loadTask) on its own thread: large files and malformed rows
// are the core's business, and never the GUI thread's time.
#pragma once

#include "workers/job_worker.h"

namespace avss::ui {

class TaskWorker : public JobWorker {
    Q_OBJECT
public Q_SLOTS:
    void run(const avss::ui::TaskRequest& request);
Q_SIGNALS:
    void finished(avss::ui::TaskLoaded result);
};

}  // namespace avss::ui
