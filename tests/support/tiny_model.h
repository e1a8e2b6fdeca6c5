// Tiny random Llama-architecture models written as GGUF with our own writer, for fast tests of the
// forward pass, statistics and the UI without the real sample model.
#pragma once

#include <cstdint>
#include <filesystem>

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

}  // namespace avss::test
