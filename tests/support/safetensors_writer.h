// Writes small safetensors files and Hugging Face folders for tests (the format: u64 header length,
// JSON header, data), including deliberately broken ones.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace avss::test {

struct StTensor {
    std::string name;
    std::string dtype;                 // "F32", "F16", "BF16", ...
    std::vector<std::int64_t> shape;
    std::vector<unsigned char> bytes;  // raw little-endian data
};

// A valid file from `tensors` (laid out in order); `editHeader` may break the header before writing.
void writeSafetensors(const std::filesystem::path& path, const std::vector<StTensor>& tensors,
                      const std::function<void(nlohmann::json&)>& editHeader = {});
std::vector<StTensor> readSafetensors(const std::filesystem::path& path);  // test-side reader (no checks)

std::vector<unsigned char> f32Bytes(const std::vector<float>& values);

// Copies the folder `from` to `to` (both plain folders of files).
void copyFolder(const std::filesystem::path& from, const std::filesystem::path& to);
// copyFolder, then `edit` changes the copy's config.json. Returns `to`.
std::filesystem::path copyFolderWithConfig(const std::filesystem::path& from, const std::filesystem::path& to,
                                           const std::function<void(nlohmann::json&)>& edit);
nlohmann::json readJson(const std::filesystem::path& path);
void writeJson(const std::filesystem::path& path, const nlohmann::json& j);

}  // namespace avss::test
