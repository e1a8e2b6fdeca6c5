// The sweep: avss::planSweep on the analysis, then avss::runSweep (cache-first through the cell
// store); every cell sends a copy of the result so far to the GUI thread.
#include "workers/sweep_worker.h"

#include "util/qt_convert.h"

namespace avss::ui {

void SweepWorker::run(const SweepRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        const auto plan = avss::planSweep(*request.stats, {}, request.plan);  // the explorer has no measured importance
        avss::SweepOptions options;
        options.cellStore = toPath(request.cellStore);
        options.evaluateAtChance = request.evaluateAtChance;
        const auto onCell = [&](const avss::SweepResult& sofar, int) {
            Q_EMIT partial(SweepUpdate{request.jobId, std::make_shared<const avss::SweepResult>(sofar)});
        };
        auto result = avss::runSweep(*request.model, {*request.task}, plan, options, progress, &cancel, onCell);
        Q_EMIT finished(SweepUpdate{request.jobId, std::make_shared<const avss::SweepResult>(std::move(result))});
    });
}

}  // namespace avss::ui
