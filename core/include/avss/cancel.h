// Cooperative cancellation shared by every long core call; the core polls it between batches/tensors.
#pragma once

#include <atomic>

#include "avss/error.h"

namespace avss {

class CancelToken {
public:
    void cancel() noexcept { m_flag.store(true, std::memory_order_relaxed); }
    bool isCancelled() const noexcept { return m_flag.load(std::memory_order_relaxed); }
    void throwIfCancelled() const {
        if (isCancelled()) throw Cancelled{};
    }

private:
    std::atomic<bool> m_flag{false};  // lock-free, so a SIGINT handler may set it
};

}  // namespace avss
