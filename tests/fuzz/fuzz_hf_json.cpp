// Why: config.json and tokenizer.json are the JSON files of a downloaded Hugging Face folder; any
// field may be missing or of another type. The input is read as both (the seeds are both kinds), and
// an accepted tokenizer must encode and decode.
#include <cstdint>

#include "avss/error.h"
#include "avss/tokenizer.h"
#include "fuzz_support.h"
#include "io/hf_checkpoint.h"
#include "model/hf_hparams.h"
#include "tokenizer/hf_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static avss::fuzz::ScratchFile file("config.json");
    const auto& path = file.write(data, size);
    try {
        const auto j = avss::io::readJsonObject(path);
        try {
            (void)avss::model::readHfConfig(j, path);
        } catch (const avss::Error&) {
            // expected: the tokenizer reading below is still worth reaching
        }
        const avss::Tokenizer tok(avss::tokenizerSpecFromHf(j, j, j, path));
        (void)tok.decode(tok.encode("Hello, world! 12345 <|im_start|>user\n\tcaf\xC3\xA9 \xF0\x9F\x98\x80<|im_end|>"));
    } catch (const avss::Error&) {
        // expected: the file is rejected with a message naming it
    }
    return 0;
}
