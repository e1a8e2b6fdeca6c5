// Tokenizer and ModelInfo of a Hugging Face folder.
#include "model/hf_model.h"

#include <fstream>
#include <sstream>

#include "avss/error.h"
#include "tokenizer/hf_tokenizer.h"
#include "util/sha256.h"

namespace avss::model {
namespace {

constexpr std::int32_t kUnusedToken = 5;  // token type "unused" (TokenizerSpec)

// SHA-256 over config.json and each shard as a GGUF file is identified (util::updateSampled).
std::string fingerprint(const io::HfCheckpoint& c) {
    util::Sha256 h;
    const auto config = c.config().dump();
    h.update(config.data(), config.size());
    for (const auto& s : c.shards()) util::updateSampled(h, s.bytes(), s.fileSize(), s.dataOffset());
    return h.finishHex();
}

std::string readText(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

Tokenizer hfTokenizer(const io::HfCheckpoint& c, int vocab) {
    if (vocab == 0) {  // the tokenizer alone: pad as the model would, when config.json says how far
        const auto& v = c.config().contains("vocab_size") ? c.config()["vocab_size"] : nlohmann::json();
        if (v.is_number_integer() && v.get<std::int64_t>() > 0 && v.get<std::int64_t>() <= (1 << 21)) vocab = v.get<int>();
    }
    const auto path = c.tokenizerPath();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw IoError(path, "is missing", "A Hugging Face model folder needs its tokenizer.json (byte-level BPE tokenizers are read from it).");
    }
    auto spec = tokenizerSpecFromHf(io::readJsonObject(path), c.tokenizerConfig(), c.config(), path);
    if (spec.chatTemplate.empty() && std::filesystem::is_regular_file(c.dir() / "chat_template.jinja", ec)) {
        spec.chatTemplate = readText(c.dir() / "chat_template.jinja");  // where transformers 5 saves it
    }
    if (vocab > 0 && static_cast<int>(spec.tokens.size()) > vocab) {
        throw FormatError(path, "holds " + std::to_string(spec.tokens.size()) + " tokens, more than config.json's vocab_size " + std::to_string(vocab));
    }
    for (int id = static_cast<int>(spec.tokens.size()); id < vocab; ++id) {
        spec.tokens.push_back("[PAD" + std::to_string(id) + "]");
        spec.tokenTypes.push_back(kUnusedToken);
    }
    try {
        return Tokenizer(std::move(spec));
    } catch (const FormatError& e) {
        throw FormatError(path, std::string("tokenizer: ") + e.detail());
    } catch (const UnsupportedError& e) {
        throw UnsupportedError(path, std::string("tokenizer: ") + e.detail());
    }
}

void fillHfInfo(ModelInfo& info, const io::HfCheckpoint& c, const HfModelConfig& config) {
    info.path = c.dir();
    info.format = "safetensors";
    info.arch = config.arch->name;
    const auto& j = c.config();
    info.name = c.dir().filename().string();  // _name_or_path is often a path on the machine that saved it
    info.fileBytes = 0;
    for (const auto& s : c.shards()) {
        info.fileBytes += static_cast<std::int64_t>(s.fileSize());
        for (const auto& t : s.tensors()) {
            ++info.tensorTypeCounts[t.dtype];
            info.tensors.push_back(TensorSummary{t.name, t.shape, t.dtype, t.end - t.begin});
        }
    }
    for (const auto& [key, value] : j.items()) {
        auto text = value.is_string() ? value.get<std::string>() : value.dump();
        if (text.size() > 200) text = text.substr(0, 197) + "...";
        info.metadata.emplace_back("config." + key, text);
    }
    info.fingerprint = fingerprint(c);
}

}  // namespace avss::model
