// Why: users type or paste arbitrary text, and calibration files may hold any bytes.
// Input: byte 0 picks the pre-tokenizer and flags, the rest is the text. The vocabulary and merges
// are the tiny model's (tests/data/tiny_llama.gguf). Checks, besides not crashing: encoding valid
// UTF-8 and decoding it again gives the text back (byte-level BPE is lossless), and decoding any
// id sequence never fails.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "avss/error.h"
#include "avss/tokenizer.h"
#include "fuzz_support.h"
#include "io/gguf_file.h"
#include "tokenizer/gguf_tokenizer.h"

namespace {

const char* const kPreTokenizers[] = {"smollm", "gpt2", "llama-bpe", "qwen2"};
constexpr std::size_t kPreCount = sizeof kPreTokenizers / sizeof kPreTokenizers[0];

const avss::Tokenizer& tokenizer(std::size_t pre) {
    static std::unique_ptr<avss::Tokenizer> cache[kPreCount];
    if (!cache[pre]) {
        auto spec = avss::tokenizerSpecFromGguf(avss::io::GgufFile::open(avss::fuzz::fixture("tiny_llama.gguf")));
        spec.pre = kPreTokenizers[pre];
        cache[pre] = std::make_unique<avss::Tokenizer>(std::move(spec));
    }
    return *cache[pre];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t control = data[0];
    const avss::Tokenizer& tok = tokenizer(control % kPreCount);
    const bool addSpecial = (control & 0x10) != 0;
    const bool parseSpecial = (control & 0x20) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const auto ids = tok.encode(text, addSpecial, parseSpecial);
        if (!addSpecial && tok.decode(ids) != text) {
            std::fprintf(stderr, "round trip changed the text (%zu bytes, %zu ids)\n", text.size(), ids.size());
            std::abort();
        }
    } catch (const avss::FormatError&) {
        // expected for invalid UTF-8 only
    }
    std::vector<avss::TokenId> ids;
    for (std::size_t i = 1; i + 1 < size; i += 2) ids.push_back(static_cast<avss::TokenId>((data[i] | data[i + 1] << 8) % tok.vocabSize()));
    (void)tok.decode(ids, (control & 0x40) != 0);
    return 0;
}
