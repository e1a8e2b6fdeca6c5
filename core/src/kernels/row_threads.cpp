// Workers spin briefly after each job (a decoding step issues ~120 products a few microseconds
// apart), then sleep on a condition variable, so an idle process uses no CPU.
#include "kernels/row_threads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "blas/openblas_runtime.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVSS_CPU_RELAX() _mm_pause()
#else
#define AVSS_CPU_RELAX() std::this_thread::yield()
#endif

namespace avss::kernels {
namespace {

constexpr auto kSpin = std::chrono::microseconds(200);  // keep workers hot between a step's products
// Parts per thread, taken from a shared counter: a vCPU the host slows only takes fewer parts.
constexpr std::int64_t kPartsPerThread = 8;

class RowThreads {
public:
    explicit RowThreads(int threads) {
        for (int i = 1; i < threads; ++i) m_workers.emplace_back([this] { loop(); });
    }
    ~RowThreads() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
            m_generation.fetch_add(1, std::memory_order_release);
        }
        m_wake.notify_all();
        for (auto& t : m_workers) t.join();
    }
    RowThreads(const RowThreads&) = delete;
    RowThreads& operator=(const RowThreads&) = delete;

    int threads() const { return static_cast<int>(m_workers.size()) + 1; }

    // Returns false (nothing run) when another caller holds the set.
    bool run(std::int64_t n, std::int64_t minRows, const std::function<void(std::int64_t, std::int64_t)>& fn) {
        std::unique_lock<std::mutex> busy(m_busy, std::try_to_lock);
        if (!busy.owns_lock()) return false;
        const std::int64_t parts =
            std::max<std::int64_t>(1, std::min<std::int64_t>(threads() * kPartsPerThread, n / std::max<std::int64_t>(minRows, 1)));
        if (parts == 1) {
            fn(0, n);
            return true;
        }
        m_fn = &fn;
        m_n = n;
        m_parts = parts;
        m_next.store(0, std::memory_order_relaxed);
        m_pending.store(static_cast<int>(m_workers.size()), std::memory_order_relaxed);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_generation.fetch_add(1, std::memory_order_release);
        }
        m_wake.notify_all();
        takeParts();
        while (m_pending.load(std::memory_order_acquire) != 0) AVSS_CPU_RELAX();
        m_fn = nullptr;
        return true;
    }

private:
    void takeParts() {
        for (;;) {
            const std::int64_t i = m_next.fetch_add(1, std::memory_order_relaxed);
            if (i >= m_parts) return;
            const std::int64_t begin = m_n * i / m_parts, end = m_n * (i + 1) / m_parts;
            if (begin < end) (*m_fn)(begin, end);
        }
    }

    void loop() {
        std::uint64_t seen = 0;
        for (;;) {
            const auto until = std::chrono::steady_clock::now() + kSpin;
            std::uint64_t g = m_generation.load(std::memory_order_acquire);
            while (g == seen && std::chrono::steady_clock::now() < until) {
                for (int i = 0; i < 64; ++i) AVSS_CPU_RELAX();
                g = m_generation.load(std::memory_order_acquire);
            }
            if (g == seen) {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_wake.wait(lock, [&] { return m_generation.load(std::memory_order_acquire) != seen; });
                g = m_generation.load(std::memory_order_acquire);
            }
            seen = g;
            if (m_stop) return;
            takeParts();
            m_pending.fetch_sub(1, std::memory_order_acq_rel);
        }
    }

    std::vector<std::thread> m_workers;
    std::mutex m_busy;   // one caller at a time
    std::mutex m_mutex;  // guards sleeping and m_stop
    std::condition_variable m_wake;
    std::atomic<std::uint64_t> m_generation{0};
    std::atomic<int> m_pending{0};
    std::atomic<std::int64_t> m_next{0};  // the next part to take
    bool m_stop = false;
    const std::function<void(std::int64_t, std::int64_t)>* m_fn = nullptr;
    std::int64_t m_n = 0, m_parts = 1;
};

RowThreads& rowThreads() {
    static RowThreads set(blas::productThreadBudget());  // started on first use, joined at exit
    return set;
}

}  // namespace

void parallelRows(std::int64_t n, std::int64_t minRows, const std::function<void(std::int64_t, std::int64_t)>& fn) {
    if (n <= 0) return;
    if (!rowThreads().run(n, minRows, fn)) fn(0, n);
}

void parallelPanels(std::int64_t rows, std::int64_t m,
                    const std::function<void(std::int64_t i0, std::int64_t mi, std::int64_t r0, std::int64_t r1)>& fn) {
    constexpr std::int64_t kPanel = 32;       // 2·W rows of the fp32 kernel for either instruction set
    constexpr std::int64_t kRowBlock = 1024;  // 8192 rows in one block: 16 % slower (docs/benchmarks.md)
    if (rows <= 0 || m <= 0) return;
    const std::int64_t blocks = (m + kRowBlock - 1) / kRowBlock;
    for (std::int64_t b = 0; b < blocks; ++b) {
        const std::int64_t i0 = m * b / blocks, mi = m * (b + 1) / blocks - i0;
        parallelRows((rows + kPanel - 1) / kPanel, 1,
                     [&](std::int64_t p0, std::int64_t p1) { fn(i0, mi, p0 * kPanel, std::min(rows, p1 * kPanel)); });
    }
}

int kernelThreads() { return rowThreads().threads(); }

}  // namespace avss::kernels
