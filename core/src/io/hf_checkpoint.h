// A Hugging Face checkpoint folder: config.json, the weights (model.safetensors, or shards listed by
// model.safetensors.index.json), tokenizer.json and tokenizer_config.json. Opening checks that every
// file the folder names exists and parses, and that the index and the shards agree, before any weight
// is read.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/safetensors_file.h"

namespace avss::io {

class HfCheckpoint {
public:
    // True when `dir` is a folder holding config.json (how the loaders tell it from a GGUF file).
    static bool looksLike(const std::filesystem::path& dir);

    // Throws IoError (missing config.json, weights or shard, naming it) or FormatError (invalid JSON,
    // index naming a tensor its shard lacks, a tensor in two shards).
    static HfCheckpoint open(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const noexcept { return m_dir; }
    std::filesystem::path configPath() const { return m_dir / "config.json"; }
    const nlohmann::json& config() const noexcept { return m_config; }
    const nlohmann::json& tokenizerConfig() const noexcept { return m_tokenizerConfig; }  // {} when absent
    std::filesystem::path tokenizerPath() const { return m_dir / "tokenizer.json"; }

    const std::vector<SafetensorsFile>& shards() const noexcept { return m_shards; }
    struct Located {
        const SafetensorsFile* file;
        const SafetensorsTensor* tensor;
    };
    // nullptr members when the checkpoint has no such tensor.
    Located find(std::string_view name) const;
    std::vector<std::string> tensorNames() const;  // shard order, then file order
    std::size_t tensorCount() const noexcept { return m_where.size(); }

private:
    std::filesystem::path m_dir;
    nlohmann::json m_config;
    nlohmann::json m_tokenizerConfig = nlohmann::json::object();
    std::vector<SafetensorsFile> m_shards;
    std::unordered_map<std::string, std::pair<std::size_t, const SafetensorsTensor*>> m_where;
};

// Parses a JSON file; IoError when it cannot be read, FormatError (with the parser's position) when
// it is not JSON or its top level is not an object.
nlohmann::json readJsonObject(const std::filesystem::path& path);

}  // namespace avss::io
