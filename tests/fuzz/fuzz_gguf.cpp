// Why: a GGUF model is the first file a user hands us, often straight from the internet.
// Exercises the header, typed metadata (nested arrays), the tensor table and data ranges, and what
// `avss info` and model loading derive from them: value rendering, hyper-parameters, the tokenizer
// spec and tokenizer, and dequantisation of (the start of) every tensor.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "avss/error.h"
#include "avss/tokenizer.h"
#include "fuzz_support.h"
#include "io/dequant.h"
#include "io/ggml_type.h"
#include "io/gguf_file.h"
#include "model/arch_traits.h"
#include "model/hparams.h"
#include "tokenizer/gguf_tokenizer.h"

namespace {

constexpr std::uint64_t kMaxDequantElements = 1 << 16;  // enough to cross every block boundary kind

void touchTensors(const avss::io::GgufFile& f) {
    std::vector<float> out;
    for (const auto& t : f.tensors()) {
        (void)t.torchShape();
        if (t.bytes == 0) continue;
        volatile std::uint8_t sink = f.tensorData(t)[0];  // first and last byte must be inside the mapping
        sink = f.tensorData(t)[t.bytes - 1];
        (void)sink;
        const auto traits = avss::io::ggmlTypeTraits(t.type);
        if (!traits || !traits->dequantizable) continue;
        const std::uint64_t n = std::min<std::uint64_t>(t.elements, kMaxDequantElements) / traits->blockElements * traits->blockElements;
        out.resize(n);
        avss::io::dequantize(t.type, f.tensorData(t), out.data(), n);
    }
}

void useTokenizer(const avss::io::GgufFile& f) {
    const avss::Tokenizer tok(avss::tokenizerSpecFromGguf(f));
    const auto ids = tok.encode("Hello, world! 12345 <|im_start|>user\n\tcaf\xC3\xA9 \xF0\x9F\x98\x80<|im_end|>");
    (void)tok.decode(ids);
    std::vector<avss::TokenId> all(static_cast<std::size_t>(std::min(tok.vocabSize(), 4096)));
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<avss::TokenId>(i);
    (void)tok.decode(all, /*skipSpecial=*/true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static avss::fuzz::ScratchFile file("model.gguf");
    const auto& path = file.write(data, size);
    try {
        const auto f = avss::io::GgufFile::open(path);
        for (const auto& kv : f.metadata()) (void)kv.second.toString();
        touchTensors(f);
        try {
            const auto arch = f.getString("general.architecture").value_or("llama");
            (void)avss::model::readHParams(f, avss::model::archTraits(arch, path.string()));
        } catch (const avss::Error&) {
            // expected: the tokenizer below is still worth reaching when the hyper-parameters are bad
        }
        useTokenizer(f);
    } catch (const avss::Error&) {
        // expected: the file is rejected with a message naming it
    }
    return 0;
}
