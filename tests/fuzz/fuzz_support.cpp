// Scratch files and fixture paths for the fuzz targets (see fuzz_support.h).
#include "fuzz_support.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace avss::fuzz {
namespace {

std::filesystem::path tempFolder() {
    const char* tmp = std::getenv("TMPDIR");
    return tmp != nullptr && *tmp != '\0' ? std::filesystem::path(tmp) : std::filesystem::path("/tmp");
}

}  // namespace

ScratchFile::ScratchFile(const std::string& name)
    : m_path(tempFolder() / ("avss-fuzz-" + std::to_string(::getpid()) + "-" + name)) {}

ScratchFile::~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(m_path, ec);
}

const std::filesystem::path& ScratchFile::write(const std::uint8_t* data, std::size_t size) {
    std::ofstream out(m_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {  // the harness itself failed: not a finding in the code under test
        std::fprintf(stderr, "fuzz harness: cannot write %s\n", m_path.c_str());
        std::abort();
    }
    return m_path;
}

std::filesystem::path fixture(const std::string& name) { return std::filesystem::path(AVSS_FUZZ_DATA_DIR) / name; }

}  // namespace avss::fuzz
