// tokenizer.json → TokenizerSpec, mirroring what llama.cpp's converter writes into a GGUF for the
// same tokenizer (token types: special added tokens are control, other added tokens user-defined).
#include "tokenizer/hf_tokenizer.h"

#include <map>

#include "avss/error.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/spec_check.h"

namespace avss {
namespace {

using nlohmann::json;

class Reader {
public:
    explicit Reader(const std::filesystem::path& file) : m_file(file) {}
    [[noreturn]] void fail(const std::string& what) const {
        throw FormatError(m_file, "tokenizer: " + what, "The tokenizer file is damaged; download the model again.");
    }
    [[noreturn]] void refuse(const std::string& what) const {
        throw UnsupportedError(m_file, "tokenizer: " + what + " is not supported",
                               "Byte-level BPE tokenizers (GPT-2, SmolLM, Llama 3, Qwen2) are read from tokenizer.json; "
                               "for others load the model's GGUF.");
    }

private:
    const std::filesystem::path& m_file;
};

std::string typeOf(const json& j) { return j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : ""; }

// The pre-tokenizer as the table's regex list; "" for a stage the table cannot express.
std::vector<std::string> preTokenizerPatterns(const json& pre, const Reader& r) {
    std::vector<json> stages;
    if (typeOf(pre) == "Sequence" && pre.contains("pretokenizers") && pre["pretokenizers"].is_array()) {
        for (const auto& s : pre["pretokenizers"]) stages.push_back(s);
    } else {
        stages.push_back(pre);
    }
    std::vector<std::string> out;
    for (const auto& s : stages) {
        const auto type = typeOf(s);
        if (type == "ByteLevel") {
            if (s.value("add_prefix_space", false)) r.refuse("ByteLevel pre-tokenizer with add_prefix_space");
            if (s.value("use_regex", true)) out.emplace_back(tok::byteLevelRegex());
        } else if (type == "Digits" && s.value("individual_digits", false)) {
            out.emplace_back(tok::eachDigitRegex());
        } else if (type == "Split" && s.value("behavior", "") == "Isolated" && !s.value("invert", false) && s.contains("pattern") &&
                   s["pattern"].is_object() && s["pattern"].contains("Regex") && s["pattern"]["Regex"].is_string()) {
            out.push_back(s["pattern"]["Regex"].get<std::string>());
        } else {
            r.refuse("pre-tokenizer stage " + s.dump().substr(0, 120));
        }
    }
    return out;
}

// The content of a special token entry: a string or {"content": ...} (tokenizer_config.json).
std::string tokenContent(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
    return {};
}

// BOS/EOS as the post-processor adds them: TemplateProcessing's single sequence, possibly nested in a Sequence.
void readPostProcessor(const json& post, const std::map<std::string, TokenId>& ids, TokenizerSpec& spec, const Reader& r) {
    if (typeOf(post) == "Sequence" && post.contains("processors") && post["processors"].is_array()) {
        for (const auto& p : post["processors"]) readPostProcessor(p, ids, spec, r);
        return;
    }
    if (typeOf(post) != "TemplateProcessing") return;
    if (!post.contains("single") || !post["single"].is_array()) r.fail("TemplateProcessing has no 'single' list");
    bool seenSequence = false;
    for (const auto& piece : post["single"]) {
        if (piece.contains("Sequence")) {
            seenSequence = true;
            continue;
        }
        if (!piece.contains("SpecialToken") || !piece["SpecialToken"].contains("id")) r.refuse("post-processor piece " + piece.dump());
        const auto name = piece["SpecialToken"]["id"].get<std::string>();
        const auto it = ids.find(name);
        if (it == ids.end()) r.fail("post-processor adds '" + name + "', which is not in the vocabulary");
        (seenSequence ? spec.eosId : spec.bosId) = it->second;
        (seenSequence ? spec.addEos : spec.addBos) = true;
    }
}

TokenId idOf(const std::map<std::string, TokenId>& ids, const std::string& content) {
    const auto it = ids.find(content);
    return it == ids.end() ? -1 : it->second;
}

TokenId configId(const json& config, const char* key) {
    if (!config.contains(key)) return -1;
    const auto& v = config[key].is_array() && !config[key].empty() ? config[key][0] : config[key];  // Llama 3.1 lists several
    return v.is_number_integer() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() < (1ll << 31) ? static_cast<TokenId>(v.get<std::int64_t>()) : -1;
}

}  // namespace

TokenizerSpec tokenizerSpecFromHf(const json& tj, const json& tokenizerConfig, const json& modelConfig, const std::filesystem::path& file) {
    const Reader r(file);
    if (!tj.contains("model") || !tj["model"].is_object()) r.fail("no 'model' object");
    const auto& m = tj["model"];
    if (typeOf(m) != "BPE") r.refuse("model type '" + typeOf(m) + "'");
    if (m.value("byte_fallback", false)) r.refuse("SentencePiece-style BPE (byte_fallback) from tokenizer.json");
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix", "dropout"}) {
        if (m.contains(key) && !m[key].is_null() && !(m[key].is_string() && m[key].get<std::string>().empty())) r.refuse(std::string("BPE ") + key);
    }
    if (tj.contains("normalizer") && !tj["normalizer"].is_null() && typeOf(tj["normalizer"]) != "NFC") {
        r.refuse("normalizer '" + typeOf(tj["normalizer"]) + "'");  // NFC: see docs/tokenizer.md
    }

    TokenizerSpec spec;
    spec.model = "gpt2";
    const auto pre = tj.contains("pre_tokenizer") && !tj["pre_tokenizer"].is_null() ? preTokenizerPatterns(tj["pre_tokenizer"], r)
                                                                                   : std::vector<std::string>{};
    const auto* row = tok::preTokenizerRowFor(pre);
    if (row == nullptr) r.refuse("this pre-tokenizer (" + tj["pre_tokenizer"].dump().substr(0, 160) + ")");
    spec.pre = std::string(row->ids.front());
    if (m.value("ignore_merges", false) != row->ignoreMerges) r.refuse("ignore_merges differing from the " + spec.pre + " pre-tokenizer's");

    if (!m.contains("vocab") || !m["vocab"].is_object() || m["vocab"].empty()) r.fail("model.vocab is missing or empty");
    std::map<TokenId, std::pair<std::string, std::int32_t>> byId;  // id → (text, type)
    std::map<std::string, TokenId> ids;
    auto add = [&](const std::string& text, const json& idValue, std::int32_t type) {
        if (!idValue.is_number_integer() || idValue.get<std::int64_t>() < 0 || idValue.get<std::int64_t>() >= (1ll << 22)) {
            r.fail("token '" + text + "' has id " + idValue.dump() + ", not an id below 4194304");
        }
        const auto id = static_cast<TokenId>(idValue.get<std::int64_t>());
        const auto [it, fresh] = byId.emplace(id, std::make_pair(text, type));
        if (!fresh && it->second.first != text) r.fail("id " + std::to_string(id) + " is both '" + it->second.first + "' and '" + text + "'");
        it->second.second = type;
        ids[text] = id;
    };
    for (const auto& [text, id] : m["vocab"].items()) add(text, id, 1);
    if (tj.contains("added_tokens") && tj["added_tokens"].is_array()) {
        for (const auto& a : tj["added_tokens"]) {
            if (!a.is_object() || !a.contains("content") || !a["content"].is_string() || !a.contains("id")) r.fail("an added_tokens entry lacks id or content");
            add(a["content"].get<std::string>(), a["id"], a.value("special", false) ? 3 : 4);
        }
    }
    const auto count = static_cast<std::size_t>(byId.rbegin()->first) + 1;
    if (count != byId.size()) r.fail("token ids have gaps (" + std::to_string(byId.size()) + " tokens, largest id " + std::to_string(count - 1) + ")");
    for (auto& [id, entry] : byId) {
        spec.tokens.push_back(std::move(entry.first));
        spec.tokenTypes.push_back(entry.second);
    }
    if (!m.contains("merges") || !m["merges"].is_array()) r.fail("model.merges is missing");
    for (const auto& merge : m["merges"]) {
        if (merge.is_string()) spec.merges.push_back(merge.get<std::string>());
        else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string())
            spec.merges.push_back(merge[0].get<std::string>() + " " + merge[1].get<std::string>());
        else r.fail("merge " + merge.dump() + " is neither \"a b\" nor [\"a\", \"b\"]");
    }

    if (tj.contains("post_processor") && !tj["post_processor"].is_null()) readPostProcessor(tj["post_processor"], ids, spec, r);
    if (spec.bosId < 0) spec.bosId = tokenizerConfig.contains("bos_token") ? idOf(ids, tokenContent(tokenizerConfig["bos_token"])) : configId(modelConfig, "bos_token_id");
    if (spec.eosId < 0 || !spec.addEos) {
        const auto eos = tokenizerConfig.contains("eos_token") ? idOf(ids, tokenContent(tokenizerConfig["eos_token"])) : configId(modelConfig, "eos_token_id");
        if (eos >= 0) spec.eosId = eos;
    }
    spec.padId = tokenizerConfig.contains("pad_token") ? idOf(ids, tokenContent(tokenizerConfig["pad_token"])) : configId(modelConfig, "pad_token_id");
    spec.unkId = m.contains("unk_token") ? idOf(ids, tokenContent(m["unk_token"])) : -1;
    if (tokenizerConfig.contains("chat_template")) {
        const auto& t = tokenizerConfig["chat_template"];
        if (t.is_string()) spec.chatTemplate = t.get<std::string>();
        else if (t.is_array()) {
            for (const auto& named : t) {
                if (named.value("name", "") == "default" && named.contains("template")) spec.chatTemplate = tokenContent(named["template"]);
            }
        }
    }
    if (const auto problem = tok::findSpecProblem(spec)) r.fail(problem->what);
    return spec;
}

}  // namespace avss
