// Writing and checking the cache seal (see cache_seal.h).
#include "cache/cache_seal.h"

#include <algorithm>
#include <fstream>
#include <vector>

#include "avss/error.h"
#include "util/sha256.h"

namespace avss::cache {
namespace {

constexpr std::string_view kMagic = "AVSS-CACHE-SEAL 1\n";

// SHA-256 of everything after the user block, and how many bytes that was.
util::StreamDigest digestAfterSeal(std::istream& in, const std::filesystem::path& file) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(kSealBytes));
    return util::sha256Rest(in, file);
}

std::string sealText(const std::string& hex, std::uint64_t bytes) {
    return std::string(kMagic) + "sha256 " + hex + "\nbytes " + std::to_string(bytes) + "\n";
}

}  // namespace

void sealFile(const std::filesystem::path& file) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    if (!f) throw IoError(file, "cannot reopen the cache to write its checksum");
    const auto digest = digestAfterSeal(f, file);
    std::string block = sealText(digest.hex, digest.bytes);
    block.resize(kSealBytes, '\0');
    f.clear();
    f.seekp(0);
    f.write(block.data(), static_cast<std::streamsize>(block.size()));
    f.flush();
    if (!f) throw IoError(file, "cannot write the cache checksum", "The disk may be full.");
}

SealCheck checkSeal(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw IoError(file, "cannot open the cache for reading");
    std::string block(kSealBytes, '\0');
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    block.resize(static_cast<std::size_t>(in.gcount()));
    if (block.compare(0, kMagic.size(), kMagic) != 0) return {SealState::Unsealed, {}};
    if (block.size() < kSealBytes) return {SealState::Broken, "truncated inside its 512-byte checksum header"};

    const auto [hex, bytes] = digestAfterSeal(in, file);
    const std::string expected = sealText(hex, bytes);
    const std::size_t headerEnd = std::min(block.find('\0'), block.size());
    const bool paddingClean = std::all_of(block.begin() + static_cast<std::ptrdiff_t>(headerEnd), block.end(), [](char c) { return c == '\0'; });
    if (block.compare(0, headerEnd, expected) == 0 && paddingClean) return {SealState::Sealed, {}};
    const auto bytesAt = block.find("\nbytes ");
    const std::string recorded = bytesAt == std::string::npos ? "?" : block.substr(bytesAt + 7, block.find('\n', bytesAt + 7) - bytesAt - 7);
    if (recorded != std::to_string(bytes)) {
        return {SealState::Broken, "holds " + std::to_string(bytes) + " bytes of data, its checksum header says " + recorded.substr(0, 20) + ": truncated or damaged"};
    }
    return {SealState::Broken, "contents do not match their SHA-256 checksum: damaged"};
}

bool fileContains(const std::filesystem::path& file, std::string_view needle) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw IoError(file, "cannot open the file for reading");
    std::vector<char> buf(std::size_t{1} << 16);
    std::string window;  // the previous block's tail, so a needle across two blocks is found
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        window.append(buf.data(), static_cast<std::size_t>(in.gcount()));
        if (window.find(needle) != std::string::npos) return true;
        if (window.size() > needle.size()) window.erase(0, window.size() - needle.size());
    }
    return false;
}

}  // namespace avss::cache
