// safetensors writer (the layout io/safetensors_file.h reads).
#include "io/safetensors_writer.h"

#include <nlohmann/json.hpp>

#include "util/atomic_file.h"

namespace avss::io {

void writeSafetensors(const std::filesystem::path& path, const std::vector<SafetensorsEntry>& tensors,
                      const std::map<std::string, std::string>& metadata, const CancelToken* cancel) {
    // nlohmann's ordered_json keeps the tensors in data order, which readers need not but people read.
    nlohmann::ordered_json header;
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const auto& t : tensors) {
        header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes}}};
        offset += t.bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    util::AtomicFile file(path);
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(text.size()) >> (8 * i));
    file.write(length, 8);
    file.write(text);
    for (const auto& t : tensors) {
        if (cancel) cancel->throwIfCancelled();
        file.write(t.data, t.bytes);
    }
    file.commit();
}

}  // namespace avss::io
