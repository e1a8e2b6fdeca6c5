// Base of every worker: job bookkeeping, cancellation and progress shared by the load, analysis,
// measure and export workers. Each subclass adds one slot that runs a request and its own
// `finished` signal; every job ends in exactly one of finished / failed / cancelled.
#pragma once

#include <QObject>
#include <atomic>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>

#include "avss/cancel.h"
#include "avss/progress.h"
#include "workers/task_types.h"

namespace avss::ui {

class JobWorker : public QObject {
    Q_OBJECT
public:
    // Thread-safe, called directly from any thread (never queued): stops the running job if its id
    // is ≤ upTo, and makes queued jobs with such ids report `cancelled` without starting.
    void cancel(JobId upTo = std::numeric_limits<JobId>::max());

Q_SIGNALS:
    void progressed(avss::ui::JobProgress progress);
    void failed(quint64 jobId, QString message);
    void cancelled(quint64 jobId);

protected:
    using Body = std::function<void(const avss::CancelToken& cancel, const avss::ProgressFn& progress)>;
    // Runs `body` on this thread with a fresh cancel token and a throttled progress callback (at most
    // ~10 reports a second, plus each stage's start, first step and end). Exceptions become `failed`
    // (or `cancelled`): this is the catch of every worker slot body. `body` emits `finished` itself.
    void runJob(JobId jobId, const Body& body);

private:
    std::mutex m_mutex;
    std::shared_ptr<avss::CancelToken> m_token;  // the running job's token
    JobId m_runningId = 0;
    std::atomic<JobId> m_cancelledUpTo{0};
};

}  // namespace avss::ui
