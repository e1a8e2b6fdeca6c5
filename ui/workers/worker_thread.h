// A long-lived worker QObject in its own QThread (style.md §6). A panel or the JobCenter holds it
// by value; it is destroyed before the Workspace that owns the model (declaration order).
#pragma once

#include <QMetaObject>
#include <QThread>

#include "avss/model.h"
#include "workers/thread_priority.h"

namespace avss::ui {

template <class Worker>
class WorkerThread {
public:
    explicit WorkerThread(const char* name) : m_worker(new Worker) {  // no parent: moveToThread refuses parented objects
        m_thread.setObjectName(QString::fromLatin1(name));
        m_worker->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
        QObject::connect(&m_thread, &QThread::started, [] { lowerCurrentThreadPriority(); });  // runs in the new thread
        m_thread.start();
    }
    ~WorkerThread() {
        m_worker->cancel();  // the running job stops within one batch; queued ones report cancelled
        m_thread.quit();
        m_thread.wait();
    }
    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;

    Worker* worker() const { return m_worker; }

    // libtorch counts compute threads per calling thread (avss/model.h), so the count is set on the
    // worker's own thread; queued, it lands between jobs, never inside one.
    void setComputeThreads(int threads) {
        QMetaObject::invokeMethod(m_worker, [threads] { avss::setComputeThreads(threads); }, Qt::QueuedConnection);
    }

private:
    QThread m_thread;
    Worker* m_worker;  // deleted by finished → deleteLater, on its own thread
};

}  // namespace avss::ui
