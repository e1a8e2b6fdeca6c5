// POSIX mmap implementation of MappedFile.
#include "io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "avss/error.h"

namespace avss::io {

MappedFile::MappedFile(const std::filesystem::path& path) : m_path(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw IoError(path, std::string("cannot open file (") + std::strerror(errno) + ")",
                      "Check the path and its permissions.");
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw IoError(path, "not a regular file", "Pass the path of a model file, not a folder or device.");
    }
    m_size = static_cast<std::uint64_t>(st.st_size);
    if (m_size > 0) {
        void* p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throw IoError(path, std::string("cannot map file into memory (") + std::strerror(err) + ")");
        }
        m_data = static_cast<const std::uint8_t*>(p);
    }
    ::close(fd);  // the mapping keeps its own reference
}

MappedFile::~MappedFile() { release(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : m_path(std::move(other.m_path)), m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        release();
        m_path = std::move(other.m_path);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

void MappedFile::releasePages(const std::uint8_t* begin, std::uint64_t size) const noexcept {
    if (m_data == nullptr || begin < m_data || size == 0) return;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto end = std::min(reinterpret_cast<std::uintptr_t>(begin) + size, reinterpret_cast<std::uintptr_t>(m_data) + m_size);
    const auto first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;  // only pages wholly inside
    const auto last = end / page * page;
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);  // a hint: failure is harmless
}

void MappedFile::release() noexcept {
    if (m_data != nullptr) ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
    m_data = nullptr;
    m_size = 0;
}

}  // namespace avss::io
