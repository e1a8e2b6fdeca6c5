// Writing a file so that readers see either the old file or the complete new one: data goes to a
// temporary file in the same folder, which commit() flushes to disk and renames into place. A
// destroyed, uncommitted AtomicFile removes its temporary (errors and cancels leave nothing behind).
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string_view>

namespace avss::util {

class AtomicFile {
public:
    // Opens "<dir>/.<name>.tmp-<pid>-<n>" for writing when openStream is true; otherwise only reserves the
    // name (for libraries such as HDF5 that open the temporary path themselves). Throws IoError.
    explicit AtomicFile(std::filesystem::path target, bool openStream = true);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const std::filesystem::path& tempPath() const { return m_temp; }
    const std::filesystem::path& target() const { return m_target; }
    void write(const void* data, std::size_t size);  // IoError naming the target (e.g. disk full)
    void write(std::string_view text) { write(text.data(), text.size()); }
    std::uint64_t bytesWritten() const { return m_written; }
    void commit();  // flush, fsync, rename over the target, fsync the folder; IoError

private:
    std::filesystem::path m_target, m_temp;
    std::FILE* m_stream = nullptr;
    std::uint64_t m_written = 0;
    bool m_committed = false;
};

// The whole content at once.
void writeFileAtomically(const std::filesystem::path& path, std::string_view content);

}  // namespace avss::util
