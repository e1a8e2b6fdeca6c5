// Integrity seal of an analysis cache file. The HDF5 data starts after a 512-byte user block (HDF5
// skips it) that holds, as text padded with NUL bytes:
//   "AVSS-CACHE-SEAL 1\nsha256 <64 hex digits>\nbytes <n>\n"
// where the digest covers the n bytes after the block, i.e. the whole HDF5 file. StatsCache checks
// it before HDF5 reads anything but the signature, because the HDF5 library is not hardened
// against damaged files (it can crash on them). This detects damage and truncation, not forgery:
// anyone can compute a SHA-256 (docs/reliability.md, "Fuzzing").
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace avss::cache {

constexpr std::size_t kSealBytes = 512;  // the HDF5 user block size: a power of two, at least 512

enum class SealState {
    Sealed,    // the seal is present and the contents match it
    Unsealed,  // no seal: not written by this version (an older cache, another program or no HDF5 at all)
    Broken,    // a seal whose contents do not match it: damaged or truncated
};

struct SealCheck {
    SealState state = SealState::Unsealed;
    std::string reason;  // for Broken: what does not match
};

// Writes the seal into the user block of a closed HDF5 file created with a kSealBytes user block.
// Throws IoError naming the file.
void sealFile(const std::filesystem::path& file);

// Never throws for the contents; IoError when the file cannot be read.
SealCheck checkSeal(const std::filesystem::path& file);

// Whether the file's bytes contain `needle` anywhere (a cheap look, no parsing). IoError when unreadable.
bool fileContains(const std::filesystem::path& file, std::string_view needle);

}  // namespace avss::cache
