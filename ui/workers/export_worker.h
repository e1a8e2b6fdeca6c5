// Pruned-model export job: the core writes the GGUF atomically and checks it by reloading.
#pragma once

#include "workers/job_worker.h"

namespace avss::ui {

class ExportWorker : public JobWorker {
    Q_OBJECT
public Q_SLOTS:
    void run(const avss::ui::ExportRequest& request);
Q_SIGNALS:
    void finished(avss::ui::ExportDone result);
};

}  // namespace avss::ui
