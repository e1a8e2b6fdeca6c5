// SHA-256 (FIPS 180-4) for checking downloaded model files and fingerprinting inputs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <string>

namespace avss::util {

class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t size);
    std::array<std::uint8_t, 32> finish();  // the object must not be updated afterwards
    std::string finishHex();

private:
    void block(const std::uint8_t* p);
    std::array<std::uint32_t, 8> m_h;
    std::array<std::uint8_t, 64> m_buf{};
    std::size_t m_bufLen = 0;
    std::uint64_t m_total = 0;
};

std::string sha256Hex(const void* data, std::size_t size);

// A weights file's identity without hashing gigabytes: adds the file size, its first `headerEnd`
// bytes (metadata and tensor table) and 16 evenly spaced 64 KiB samples of the rest to `h`.
void updateSampled(Sha256& h, const std::uint8_t* bytes, std::uint64_t size, std::uint64_t headerEnd);
std::string sha256File(const std::filesystem::path& path);  // throws IoError
// SHA-256 of a stream from its current position to its end, and how many bytes that was; IoError
// naming `path` on a read error.
struct StreamDigest {
    std::string hex;
    std::uint64_t bytes = 0;
};
StreamDigest sha256Rest(std::istream& in, const std::filesystem::path& path);

}  // namespace avss::util
