// Loads a model file on its own thread (Model::load reads and dequantises every tensor).
#pragma once

#include "workers/job_worker.h"

namespace avss::ui {

class LoadWorker : public JobWorker {
    Q_OBJECT
public Q_SLOTS:
    void run(const avss::ui::LoadRequest& request);
Q_SIGNALS:
    void finished(avss::ui::LoadResult result);
};

}  // namespace avss::ui
