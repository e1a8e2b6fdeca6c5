// Per-thread nice value on Linux (setpriority on the thread id), a no-op on other systems.
#include "workers/thread_priority.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace avss::ui {

void lowerCurrentThreadPriority() {
#ifdef __linux__
    constexpr int kWorkerNice = 5;
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    // The result is deliberately ignored: a thread at normal priority still works, only less smoothly.
    (void)::setpriority(PRIO_PROCESS, tid, kWorkerNice);
#endif
}

}  // namespace avss::ui
