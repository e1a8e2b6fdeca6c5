// A small fixed set of threads that splits a row range for the weight kernels (q8_matrix.h); the
// calling thread takes a part too. Torch-free, so the kernels do not depend on libtorch's thread pool
// (one thread in this engine; docs/engine.md).
#pragma once

#include <cstdint>
#include <functional>

namespace avss::kernels {

// Runs fn(begin, end) on contiguous parts of [0, n) and returns when all are done. Parts have at
// least minRows rows. When the set is busy with another caller, this call runs serially on the
// calling thread (several analysis workers may run at once), so it never waits for a stranger.
void parallelRows(std::int64_t n, std::int64_t minRows, const std::function<void(std::int64_t, std::int64_t)>& fn);

// Threads used (the caller included): OpenBLAS's thread count when it is loaded, else the hardware's.
int kernelThreads();

}  // namespace avss::kernels
