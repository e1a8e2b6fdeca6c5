// Why: calibration and evaluation text files (plain text and JSONL) come from anywhere.
// The same bytes are read as a .txt and as a .jsonl file (field "text"), each whole (loadCorpus)
// and streamed (openCorpus, then tokenizeCorpus with the tiny model's tokenizer). Besides not
// crashing: both readers accept the same files with the same fingerprint and text, and the
// streamed tokens are those of encoding the whole text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "avss/corpus.h"
#include "avss/corpus_tokens.h"
#include "avss/error.h"
#include "avss/tokenizer.h"
#include "fuzz_support.h"
#include "io/gguf_file.h"
#include "tokenizer/gguf_tokenizer.h"

namespace {

[[noreturn]] void finding(const char* what, const std::string& file) {
    std::fprintf(stderr, "%s: %s\n", file.c_str(), what);
    std::abort();
}

const avss::Tokenizer& tokenizer() {
    static const avss::Tokenizer tok(avss::tokenizerSpecFromGguf(avss::io::GgufFile::open(avss::fuzz::fixture("tiny_llama.gguf"))));
    return tok;
}

template <class Open>
std::optional<avss::Corpus> tryOpen(Open&& open, std::string* error) {
    try {
        return open();
    } catch (const avss::Error& e) {  // expected: empty, binary, invalid UTF-8, malformed JSON, missing field
        *error = e.what();
        return std::nullopt;
    }
}

void check(avss::fuzz::ScratchFile& file, const std::uint8_t* data, std::size_t size) {
    const std::string path = file.write(data, size).string();
    std::string wholeError, streamError;
    const auto whole = tryOpen([&] { return avss::loadCorpus(path); }, &wholeError);
    const auto streamed = tryOpen([&] { return avss::openCorpus(path); }, &streamError);
    if (whole.has_value() != streamed.has_value() || wholeError != streamError) finding("loadCorpus and openCorpus disagree", path);
    if (!whole) return;
    if (whole->fingerprint != streamed->fingerprint) finding("loadCorpus and openCorpus fingerprints differ", path);
    const std::string text = whole->joined();
    if (streamed->joined() != text) finding("loadCorpus and openCorpus texts differ", path);
    const auto tokens = avss::tokenizeCorpus(tokenizer(), *streamed);
    if (tokens.forcedCuts == 0 && tokens.tokens != tokenizer().encode(text, false, true)) {
        finding("streamed tokens differ from encoding the whole text", path);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static avss::fuzz::ScratchFile text("corpus.txt");
    static avss::fuzz::ScratchFile jsonl("corpus.jsonl");
    check(text, data, size);
    check(jsonl, data, size);
    return 0;
}
