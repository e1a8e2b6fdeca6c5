// Job bookkeeping shared by all workers: fresh cancel token per job, throttled progress with rate
// and ETA, and the one place where a worker slot's exceptions are turned into signals.
#include "workers/job_worker.h"

#include <QElapsedTimer>
#include <exception>

#include "avss/error.h"
#include "util/qt_convert.h"

namespace avss::ui {
namespace {

constexpr qint64 kProgressIntervalMs = 100;

// Turns the core's coarse progress into JobProgress values, measuring rate and ETA per stage.
// Reports at most every 100 ms, plus a stage's start, its first step and its end.
class ProgressRelay {
public:
    ProgressRelay(JobId jobId, std::function<void(const JobProgress&)> emitFn) : m_jobId(jobId), m_emit(std::move(emitFn)) {}

    void operator()(const avss::Progress& p) {
        if (m_stage != p.stage) {
            m_stage = p.stage;
            m_stageClock.start();
            m_startDone = p.done;
            m_movedInStage = false;
            m_lastEmit.invalidate();
        }
        const bool last = p.total > 0 && p.done >= p.total;
        const bool firstStep = !m_movedInStage && p.done > m_startDone;  // the first rate estimate comes at once
        m_movedInStage = m_movedInStage || firstStep;
        if (!last && !firstStep && m_lastEmit.isValid() && m_lastEmit.elapsed() < kProgressIntervalMs) return;
        m_lastEmit.start();
        JobProgress out;
        out.jobId = m_jobId;
        out.stage = toQString(p.stage);
        out.done = p.done;
        out.total = p.total;
        out.unit = toQString(p.unit);
        const double seconds = static_cast<double>(m_stageClock.nsecsElapsed()) * 1e-9;
        const auto progressed = static_cast<double>(p.done - m_startDone);
        if (seconds > 0.05 && progressed > 0) {
            out.ratePerSecond = progressed / seconds;
            if (p.total > 0) out.etaSeconds = static_cast<double>(p.total - p.done) / out.ratePerSecond;
        }
        m_emit(out);
    }

private:
    JobId m_jobId;
    std::function<void(const JobProgress&)> m_emit;
    std::string m_stage;
    QElapsedTimer m_stageClock, m_lastEmit;
    std::int64_t m_startDone = 0;
    bool m_movedInStage = false;
};

}  // namespace

void JobWorker::cancel(JobId upTo) {
    JobId seen = m_cancelledUpTo.load();
    while (seen < upTo && !m_cancelledUpTo.compare_exchange_weak(seen, upTo)) {
    }
    std::lock_guard lock(m_mutex);
    if (m_token && m_runningId <= upTo) m_token->cancel();
}

void JobWorker::runJob(JobId jobId, const Body& body) {
    auto token = std::make_shared<avss::CancelToken>();
    {
        std::lock_guard lock(m_mutex);
        m_token = token;
        m_runningId = jobId;
    }
    if (jobId <= m_cancelledUpTo.load()) token->cancel();  // cancelled while it waited in the queue
    ProgressRelay relay(jobId, [this](const JobProgress& p) { Q_EMIT progressed(p); });
    try {
        token->throwIfCancelled();
        body(*token, [&relay](const avss::Progress& p) { relay(p); });
    } catch (const avss::Cancelled&) {
        Q_EMIT cancelled(jobId);
    } catch (const std::exception& e) {
        const auto oom = avss::describeOutOfMemory(e);  // a sentence with what to change, not an allocator trace
        Q_EMIT failed(jobId, QString::fromStdString(oom ? *oom : std::string(e.what())));
    } catch (...) {
        Q_EMIT failed(jobId, tr("unexpected error of an unknown type"));
    }
    std::lock_guard lock(m_mutex);
    m_token.reset();
    m_runningId = 0;
}

}  // namespace avss::ui
