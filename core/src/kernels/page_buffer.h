// A large buffer mapped directly from the kernel (anonymous mmap), outside malloc's heap. Compact
// weights live in these: interleaved with the loader's fp32 temporaries on the heap they fragmented
// it, and loading an 8B-shape model grew by ~1 GB per layer more than it kept (measured).
#pragma once

#include <cstddef>
#include <utility>

namespace avss::kernels {

class PageBuffer {
public:
    PageBuffer() = default;
    explicit PageBuffer(std::size_t bytes);  // zero-filled; throws std::bad_alloc when the mapping fails
    ~PageBuffer();
    PageBuffer(PageBuffer&& other) noexcept : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)) {}
    PageBuffer& operator=(PageBuffer&& other) noexcept;
    PageBuffer(const PageBuffer&) = delete;
    PageBuffer& operator=(const PageBuffer&) = delete;

    void* data() const { return m_data; }
    std::size_t size() const { return m_size; }

private:
    void* m_data = nullptr;
    std::size_t m_size = 0;
};

}  // namespace avss::kernels
