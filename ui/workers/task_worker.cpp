// Task loading job: the core recognises the format and reports skipped rows in TaskData.
#include "workers/task_worker.h"

namespace avss::ui {

void TaskWorker::run(const TaskRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn&) {
        auto task = std::make_shared<const avss::TaskData>(avss::loadTask(request.choice.spec()));
        cancel.throwIfCancelled();  // loadTask takes no token: a cancel during the read lands here
        Q_EMIT finished(TaskLoaded{request.jobId, request.choice, std::move(task)});
    });
}

}  // namespace avss::ui
