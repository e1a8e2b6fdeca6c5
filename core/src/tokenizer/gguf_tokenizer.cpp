// GGUF tokenizer keys → TokenizerSpec. Keys are read with GgufFile's typed getters (which already name
// the file and key on a type mismatch); everything else is checked by findSpecProblem and reported
// under the key the field came from.
#include "tokenizer/gguf_tokenizer.h"

#include <limits>
#include <memory>
#include <utility>

#include "avss/error.h"
#include "io/hf_checkpoint.h"
#include "model/hf_model.h"
#include "tokenizer/spec_check.h"

namespace avss {
namespace {

constexpr const char* kReconvertHint = "re-convert the model with llama.cpp's convert_hf_to_gguf.py";

const char* keyOf(tok::SpecField field) {
    switch (field) {
        case tok::SpecField::Tokens: return "tokenizer.ggml.tokens";
        case tok::SpecField::TokenTypes: return "tokenizer.ggml.token_type";
        case tok::SpecField::Merges: return "tokenizer.ggml.merges";
        case tok::SpecField::Scores: return "tokenizer.ggml.scores";
        case tok::SpecField::BosId: return "tokenizer.ggml.bos_token_id";
        case tok::SpecField::EosId: return "tokenizer.ggml.eos_token_id";
        case tok::SpecField::UnkId: return "tokenizer.ggml.unknown_token_id";
        case tok::SpecField::PadId: return "tokenizer.ggml.padding_token_id";
    }
    return "tokenizer.ggml";
}

[[noreturn]] void fail(const io::GgufFile& f, const std::string& key, const std::string& what) {
    throw FormatError(f.path(), "metadata key '" + key + "' " + what, kReconvertHint);
}

std::string requiredString(const io::GgufFile& f, const char* key) {
    auto value = f.getString(key);
    if (!value) fail(f, key, "is missing");
    return std::move(*value);
}

std::vector<std::string> requiredStrings(const io::GgufFile& f, const char* key) {
    if (!f.find(key)) fail(f, key, "is missing");
    return f.getStringArray(key);
}

std::vector<std::int32_t> int32Array(const io::GgufFile& f, const char* key) {
    std::vector<std::int32_t> out;
    for (const auto v : f.getIntArray(key)) {
        if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max()) {
            fail(f, key, "holds " + std::to_string(v) + ", which does not fit a 32-bit integer");
        }
        out.push_back(static_cast<std::int32_t>(v));
    }
    return out;
}

// -1 when absent; ids past the vocabulary are caught by findSpecProblem, negative ones here.
TokenId optionalId(const io::GgufFile& f, const char* key) {
    const auto v = f.getInt(key);
    if (!v) return -1;
    if (*v < 0 || *v > std::numeric_limits<std::int32_t>::max()) fail(f, key, "holds " + std::to_string(*v) + ", not a token id");
    return static_cast<TokenId>(*v);
}

bool defaultAddBos(const TokenizerSpec& spec) {
    return spec.model == "llama" || spec.pre == "llama-bpe" || spec.pre == "llama3";
}

}  // namespace

TokenizerSpec tokenizerSpecFromGguf(const io::GgufFile& file) {
    TokenizerSpec spec;
    spec.model = requiredString(file, "tokenizer.ggml.model");
    spec.pre = file.getString("tokenizer.ggml.pre").value_or("default");
    spec.tokens = requiredStrings(file, "tokenizer.ggml.tokens");
    spec.tokenTypes = int32Array(file, "tokenizer.ggml.token_type");
    if (spec.model == "gpt2") spec.merges = requiredStrings(file, "tokenizer.ggml.merges");
    else spec.merges = file.getStringArray("tokenizer.ggml.merges");
    for (const double s : file.getFloatArray("tokenizer.ggml.scores")) spec.scores.push_back(static_cast<float>(s));
    spec.bosId = optionalId(file, "tokenizer.ggml.bos_token_id");
    spec.eosId = optionalId(file, "tokenizer.ggml.eos_token_id");
    spec.unkId = optionalId(file, "tokenizer.ggml.unknown_token_id");
    spec.padId = optionalId(file, "tokenizer.ggml.padding_token_id");
    spec.addBos = file.getBool("tokenizer.ggml.add_bos_token").value_or(defaultAddBos(spec));
    spec.addEos = file.getBool("tokenizer.ggml.add_eos_token").value_or(false);
    spec.addSpacePrefix = file.getBool("tokenizer.ggml.add_space_prefix").value_or(true);  // llama.cpp's default
    spec.chatTemplate = file.getString("tokenizer.chat_template").value_or("");

    if (const auto problem = tok::findSpecProblem(spec)) fail(file, keyOf(problem->field), problem->what);
    return spec;
}

Tokenizer tokenizerFromGguf(const io::GgufFile& file) {
    try {
        return Tokenizer(tokenizerSpecFromGguf(file));
    } catch (const FormatError& e) {
        throw FormatError(file.path(), std::string("tokenizer: ") + e.detail());
    } catch (const UnsupportedError& e) {
        throw UnsupportedError(file.path(), std::string("tokenizer: ") + e.detail());
    }
}

Tokenizer loadTokenizer(const std::filesystem::path& path) {
    if (io::HfCheckpoint::looksLike(path)) return model::hfTokenizer(io::HfCheckpoint::open(path), 0);
    return tokenizerFromGguf(io::GgufFile::open(path));
}

}  // namespace avss
