// Writing a safetensors file: u64 header length, JSON header (padded with spaces to a multiple of
// 8 bytes, as the reference implementation does), then the tensors' bytes in the order given.
// Written atomically (a temporary file renamed into place).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "avss/cancel.h"

namespace avss::io {

struct SafetensorsEntry {
    std::string name;
    std::string dtype;                 // "F32", "F16", "BF16", ...
    std::vector<std::int64_t> shape;
    const std::uint8_t* data = nullptr;  // not owned; must stay valid until write() returns
    std::uint64_t bytes = 0;
};

// Throws IoError (cannot write), Cancelled (nothing left behind).
void writeSafetensors(const std::filesystem::path& path, const std::vector<SafetensorsEntry>& tensors,
                      const std::map<std::string, std::string>& metadata, const CancelToken* cancel = nullptr);

}  // namespace avss::io
