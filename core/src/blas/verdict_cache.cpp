// Verdict files: "avss-blas-verdict 1", then "machine", "candidate", "adopt", "detail" lines.
#include "blas/verdict_cache.h"

#include <fstream>
#include <map>
#include <sstream>

#include "avss/error.h"
#include "util/atomic_file.h"
#include "util/sha256.h"

namespace avss::blas {
namespace {

constexpr const char* kMagic = "avss-blas-verdict 1";

std::string oneLine(std::string s) {  // a value must not break the line format
    for (auto& ch : s) {
        if (ch == '\n' || ch == '\r') ch = ' ';
    }
    return s;
}

}  // namespace

std::string machineKey(const CpuFeatures& cpu, const std::string& openblasConfig, const std::string& coreName) {
    std::string build = openblasConfig;
    if (!coreName.empty()) {
        if (const auto at = build.find(" " + coreName + " "); at != std::string::npos) build.erase(at, coreName.size() + 1);
    }
    std::ostringstream key;
    key << (cpu.brand.empty() ? cpu.vendor : cpu.brand) << " | flags " << std::hex << cpu.flagsHash << " | " << build;
    return oneLine(key.str());
}

std::filesystem::path verdictPath(const std::filesystem::path& cacheDir, const std::string& key) {
    return cacheDir / "blas-kernels" / (util::sha256Hex(key.data(), key.size()).substr(0, 16) + ".txt");
}

std::optional<KernelVerdict> loadVerdict(const std::filesystem::path& file, const std::string& key) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    if (!in || !std::getline(in, line) || line != kMagic) return std::nullopt;
    std::map<std::string, std::string> fields;
    while (std::getline(in, line)) {
        const auto space = line.find(' ');
        if (space == std::string::npos) return std::nullopt;
        fields[line.substr(0, space)] = line.substr(space + 1);
    }
    if (in.bad() || fields.size() != 4 || fields["machine"] != key || fields["candidate"].empty()) return std::nullopt;
    const auto& adopt = fields["adopt"];
    if (adopt != "yes" && adopt != "no") return std::nullopt;
    return KernelVerdict{fields["candidate"], adopt == "yes", fields["detail"]};
}

void saveVerdict(const std::filesystem::path& file, const std::string& key, const KernelVerdict& verdict) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) throw IoError(file.parent_path(), "could not create the folder for the BLAS kernel verdict: " + ec.message());
    util::writeFileAtomically(file, std::string(kMagic) + "\nmachine " + oneLine(key) + "\ncandidate " + oneLine(verdict.candidate) +
                                        "\nadopt " + (verdict.adopt ? "yes" : "no") + "\ndetail " + oneLine(verdict.detail) + "\n");
}

}  // namespace avss::blas
