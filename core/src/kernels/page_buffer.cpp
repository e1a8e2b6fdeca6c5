#include "kernels/page_buffer.h"

#include <sys/mman.h>

#include <new>

namespace avss::kernels {

PageBuffer::PageBuffer(std::size_t bytes) : m_size(bytes) {
    if (bytes == 0) return;
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    m_data = p;
}

PageBuffer::~PageBuffer() {
    if (m_data != nullptr) ::munmap(m_data, m_size);
}

PageBuffer& PageBuffer::operator=(PageBuffer&& other) noexcept {
    if (this != &other) {
        if (m_data != nullptr) ::munmap(m_data, m_size);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

}  // namespace avss::kernels
