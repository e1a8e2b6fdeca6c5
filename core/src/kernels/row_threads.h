// A small fixed set of threads that splits a row range for the weight kernels (q8_matrix.h); the
// calling thread takes a part too. Torch-free, so the kernels do not depend on libtorch's thread pool
// (one thread in this engine; docs/engine.md).
#pragma once

#include <cstdint>
#include <functional>

namespace avss::kernels {

// Runs fn(begin, end) on contiguous parts of [0, n) and returns when all are done. Parts have at
// least minRows rows; the threads take them from a shared counter, up to 8 per thread, so one thread
// may run several. When the set is busy with another caller, this call runs serially on the
// calling thread (several analysis workers may run at once), so it never waits for a stranger.
void parallelRows(std::int64_t n, std::int64_t minRows, const std::function<void(std::int64_t, std::int64_t)>& fn);

// Products of m activation rows with a [rows, ·] weight: fn(i0, mi, r0, r1) for blocks of activation
// rows [i0, i0 + mi) of similar size, one after another (a block's activations stay in cache while
// the weight streams past), each split across the threads into whole panels of 32 weight rows.
void parallelPanels(std::int64_t rows, std::int64_t m,
                    const std::function<void(std::int64_t i0, std::int64_t mi, std::int64_t r0, std::int64_t r1)>& fn);

// Threads used (the caller included): OpenBLAS's thread count when it is loaded, else the hardware's.
int kernelThreads();

}  // namespace avss::kernels
