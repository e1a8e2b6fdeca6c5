// Test-side safetensors writer and reader.
#include "support/safetensors_writer.h"

#include <cstring>
#include <fstream>

#include "support/temp_dir.h"

namespace avss::test {

void writeSafetensors(const std::filesystem::path& path, const std::vector<StTensor>& tensors,
                      const std::function<void(nlohmann::json&)>& editHeader) {
    nlohmann::json header = nlohmann::json::object();
    std::vector<unsigned char> data;
    for (const auto& t : tensors) {
        header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
        data.insert(data.end(), t.bytes.begin(), t.bytes.end());
    }
    header["__metadata__"] = {{"format", "pt"}};
    if (editHeader) editHeader(header);
    const auto text = header.dump();
    std::vector<unsigned char> out;
    out.reserve(8 + text.size() + data.size());
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<unsigned char>(static_cast<std::uint64_t>(text.size()) >> (8 * i)));
    for (const char ch : text) out.push_back(static_cast<unsigned char>(ch));
    out.insert(out.end(), data.begin(), data.end());
    writeBytes(path, out);
}

std::vector<StTensor> readSafetensors(const std::filesystem::path& path) {
    const auto bytes = readBytes(path);
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    const auto header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
    std::vector<StTensor> out;
    for (const auto& [name, e] : header.items()) {
        if (name == "__metadata__") continue;
        const auto begin = e["data_offsets"][0].get<std::size_t>(), end = e["data_offsets"][1].get<std::size_t>();
        out.push_back({name, e["dtype"].get<std::string>(), e["shape"].get<std::vector<std::int64_t>>(),
                       std::vector<unsigned char>(bytes.begin() + static_cast<std::ptrdiff_t>(8 + n + begin),
                                                  bytes.begin() + static_cast<std::ptrdiff_t>(8 + n + end))});
    }
    return out;
}

std::vector<unsigned char> f32Bytes(const std::vector<float>& values) {
    std::vector<unsigned char> out(values.size() * 4);
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

void copyFolder(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::filesystem::create_directories(to);
    for (const auto& e : std::filesystem::directory_iterator(from)) std::filesystem::copy_file(e.path(), to / e.path().filename());
}

nlohmann::json readJson(const std::filesystem::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

void writeJson(const std::filesystem::path& path, const nlohmann::json& j) { writeText(path, j.dump(1)); }

std::filesystem::path copyFolderWithConfig(const std::filesystem::path& from, const std::filesystem::path& to,
                                           const std::function<void(nlohmann::json&)>& edit) {
    copyFolder(from, to);
    auto config = readJson(to / "config.json");
    edit(config);
    writeJson(to / "config.json", config);
    return to;
}

}  // namespace avss::test
