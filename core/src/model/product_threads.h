// bf16 products run in oneDNN, which takes its thread count from the calling thread's OpenMP setting;
// the engine keeps that at one (OpenMP workers spinning next to OpenBLAS's threads cost a third of
// fp32 throughput: docs/engine.md), so bf16 work widens it to at least the BLAS's thread count while
// it runs, for this thread only. The OpenMP symbols are looked up at run time: the runtime is the one
// libtorch loaded (Debian's libgomp, or the copy an upstream libtorch bundles).
#pragma once

namespace avss::model {

class ProductThreads {
public:
    explicit ProductThreads(bool active = true);  // inactive: changes nothing
    ~ProductThreads();
    ProductThreads(const ProductThreads&) = delete;
    ProductThreads& operator=(const ProductThreads&) = delete;

private:
    void (*m_set)(int) = nullptr;
    int m_before = 1;
};

}  // namespace avss::model
