// Tiny random Llama-architecture models written as GGUF with our own writer, for fast tests of the
// forward pass, statistics and the UI without the real sample model.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace avss::io {
class GgufFile;
class GgufWriter;
}  // namespace avss::io

namespace avss::test {

struct TinySpec {
    int layers = 3;
    int hidden = 32;
    int heads = 4;
    int kvHeads = 2;
    int ffn = 64;
    int context = 256;
    double ropeBase = 10000.0;
    std::uint64_t seed = 1;
    float weightScale = 0.2f;  // std of the random projection weights
};

// Writes <dir>/tiny.gguf (byte-level BPE vocabulary of 3 special + 256 byte + a few merged tokens,
// pre-tokenizer "smollm", no BOS) and returns its path.
std::filesystem::path writeTinyModel(const std::filesystem::path& dir, const TinySpec& spec = {});

// Copies the GGUF `src` to `dst` with one change: `edit` sees the writer (metadata and tensors
// copied) and the source; `dropTensor` names a tensor to leave out. Returns `dst`.
std::filesystem::path rewriteGguf(const std::filesystem::path& src, const std::filesystem::path& dst,
                                  const std::function<void(io::GgufWriter&, const io::GgufFile&)>& edit,
                                  const std::string& dropTensor = {});

}  // namespace avss::test
