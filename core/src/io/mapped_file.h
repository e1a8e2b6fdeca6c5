// Read-only memory mapping of a whole file (RAII). Model weights are read through it without copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace avss::io {

class MappedFile {
public:
    // Throws IoError naming the file when it cannot be opened or mapped. An empty file maps to size 0.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const noexcept { return m_data; }
    std::uint64_t size() const noexcept { return m_size; }
    const std::filesystem::path& path() const noexcept { return m_path; }
    // Drops the whole pages inside [begin, begin + size) from the resident set (madvise DONTNEED on
    // this read-only mapping: the data stays readable and is paged in again on access).
    void releasePages(const std::uint8_t* begin, std::uint64_t size) const noexcept;

private:
    void release() noexcept;

    std::filesystem::path m_path;
    const std::uint8_t* m_data = nullptr;
    std::uint64_t m_size = 0;
};

}  // namespace avss::io
