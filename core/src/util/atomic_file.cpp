// Temporary-file-then-rename writes (see atomic_file.h).
#include "util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "avss/error.h"

namespace avss::util {
namespace {

// Flushes a file (an error is fatal: the data may not be on disk) or a folder (best effort: the
// rename is already done, and some file systems refuse to fsync folders).
void fsyncPath(const std::filesystem::path& p, bool directory) {
    const int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    const bool ok = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (!ok && !directory) throw IoError(p, "could not flush the file to disk", "The disk may be full.");
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target, bool openStream) : m_target(std::move(target)) {
    const auto dir = m_target.parent_path().empty() ? std::filesystem::path(".") : m_target.parent_path();
    static std::atomic<unsigned> counter{0};  // distinct temporaries for concurrent writers in one process
    m_temp = dir / ("." + m_target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter++));
    if (openStream) {
        m_stream = std::fopen(m_temp.c_str(), "wb");
        if (m_stream == nullptr) {
            throw IoError(m_target, std::string("cannot create a temporary file next to it (") + std::strerror(errno) + ")",
                          "Check that the folder exists and is writable.");
        }
    }
}

AtomicFile::~AtomicFile() {
    if (m_stream != nullptr) std::fclose(m_stream);
    if (!m_committed) {
        std::error_code ec;
        std::filesystem::remove(m_temp, ec);
    }
}

void AtomicFile::write(const void* data, std::size_t size) {
    if (m_stream == nullptr) throw IoError(m_target, "internal: write() on an AtomicFile opened without a stream");
    if (size > 0 && std::fwrite(data, 1, size, m_stream) != size) {
        throw IoError(m_target, std::string("write failed (") + std::strerror(errno) + ")", "The disk may be full.");
    }
    m_written += size;
}

void AtomicFile::commit() {
    if (m_stream != nullptr) {
        const bool ok = std::fflush(m_stream) == 0 && ::fsync(::fileno(m_stream)) == 0;
        const bool closed = std::fclose(m_stream) == 0;
        m_stream = nullptr;
        if (!ok || !closed) throw IoError(m_target, "could not flush the file to disk", "The disk may be full.");
    } else {
        fsyncPath(m_temp, false);
    }
    std::error_code ec;
    std::filesystem::rename(m_temp, m_target, ec);
    if (ec) throw IoError(m_target, "cannot move the finished file into place (" + ec.message() + ")");
    m_committed = true;
    fsyncPath(m_target.parent_path().empty() ? std::filesystem::path(".") : m_target.parent_path(), true);
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view content) {
    AtomicFile f(path);
    f.write(content);
    f.commit();
}

}  // namespace avss::util
