// Folder layout as transformers' save_pretrained writes it (single file or sharded index).
#include "io/hf_checkpoint.h"

#include <fstream>
#include <map>
#include <sstream>

#include "avss/error.h"

namespace avss::io {

nlohmann::json readJsonObject(const std::filesystem::path& path) {
    constexpr std::uintmax_t kMaxJson = 512ull << 20;  // the largest tokenizer.json seen is ~35 MB (Gemma)
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxJson) throw FormatError(path, "is " + std::to_string(size) + " bytes, more than any JSON file of a model folder should be");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path, "cannot be read", "Check that the file exists and is readable.");
    std::ostringstream text;
    text << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(path, std::string("is not valid JSON (") + e.what() + ")", "The file is damaged; download it again.");
    }
    if (!j.is_object()) throw FormatError(path, "is not a JSON object");
    return j;
}

bool HfCheckpoint::looksLike(const std::filesystem::path& dir) {
    std::error_code ec;
    return std::filesystem::is_directory(dir, ec) && std::filesystem::is_regular_file(dir / "config.json", ec);
}

HfCheckpoint HfCheckpoint::open(const std::filesystem::path& dir) {
    HfCheckpoint c;
    c.m_dir = dir;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(dir / "config.json", ec)) {
        throw IoError(dir, "has no config.json", "Pass a Hugging Face model folder (config.json, model.safetensors, tokenizer.json) or a .gguf file.");
    }
    c.m_config = readJsonObject(dir / "config.json");
    if (std::filesystem::is_regular_file(dir / "tokenizer_config.json", ec)) c.m_tokenizerConfig = readJsonObject(dir / "tokenizer_config.json");

    const auto single = dir / "model.safetensors";
    const auto index = dir / "model.safetensors.index.json";
    if (std::filesystem::is_regular_file(single, ec)) {
        c.m_shards.push_back(SafetensorsFile::open(single));
    } else if (std::filesystem::is_regular_file(index, ec)) {
        const auto j = readJsonObject(index);
        if (!j.contains("weight_map") || !j["weight_map"].is_object() || j["weight_map"].empty()) {
            throw FormatError(index, "has no weight_map object", "The index is damaged; download it again.");
        }
        std::map<std::string, std::size_t> shardOf;  // file name → shard number, in sorted order
        for (const auto& [tensor, file] : j["weight_map"].items()) {
            if (!file.is_string()) throw FormatError(index, "weight_map entry '" + tensor + "' is not a file name");
            const auto name = file.get<std::string>();
            if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
                throw FormatError(index, "weight_map entry '" + tensor + "' names '" + name + "', not a file in this folder");
            }
            shardOf.emplace(name, 0);
        }
        for (auto& [name, number] : shardOf) {
            if (!std::filesystem::is_regular_file(dir / name, ec)) {
                throw IoError(dir / name, "is missing (model.safetensors.index.json lists it)", "Download every shard of the model.");
            }
            number = c.m_shards.size();
            c.m_shards.push_back(SafetensorsFile::open(dir / name));
        }
        for (const auto& [tensor, file] : j["weight_map"].items()) {
            const auto& shard = c.m_shards[shardOf.at(file.get<std::string>())];
            if (shard.find(tensor) == nullptr) {
                throw FormatError(shard.path(), "lacks tensor '" + tensor + "', which model.safetensors.index.json places there",
                                  "The shards do not belong to this index; download the model again.");
            }
        }
    } else {
        throw IoError(dir, "has neither model.safetensors nor model.safetensors.index.json",
                      "Only safetensors checkpoints are read (not pytorch_model.bin).");
    }
    for (std::size_t s = 0; s < c.m_shards.size(); ++s) {
        for (const auto& t : c.m_shards[s].tensors()) {
            if (!c.m_where.emplace(t.name, std::make_pair(s, &t)).second) {
                throw FormatError(c.m_shards[s].path(), "tensor '" + t.name + "' is also stored in another shard");
            }
        }
    }
    return c;
}

HfCheckpoint::Located HfCheckpoint::find(std::string_view name) const {
    const auto it = m_where.find(std::string(name));
    if (it == m_where.end()) return {nullptr, nullptr};
    return {&m_shards[it->second.first], it->second.second};
}

std::vector<std::string> HfCheckpoint::tensorNames() const {
    std::vector<std::string> out;
    for (const auto& s : m_shards) {
        for (const auto& t : s.tensors()) out.push_back(t.name);
    }
    return out;
}

}  // namespace avss::io
