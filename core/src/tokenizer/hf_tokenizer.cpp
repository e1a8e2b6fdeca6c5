// tokenizer.json → TokenizerSpec, mirroring what llama.cpp's converter writes into a GGUF for the
// same tokenizer (token types: special added tokens are control, other added tokens user-defined).
#include "tokenizer/hf_tokenizer.h"

#include <map>

#include "avss/error.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/spec_check.h"
#include "tokenizer/spm.h"

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
                               "tokenizer.json is read for byte-level BPE (GPT-2, SmolLM, Llama 3, Qwen2) and SentencePiece-style "
                               "BPE with byte fallback (Llama 2, Mistral); for others load the model's GGUF.");
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

// SentencePiece-style BPE: how "▁" enters, as the Metaspace pre-tokenizer (newer files) or the
// Prepend + Replace normaliser (older Llama 2 files) says.
void readSpaceRule(const json& tj, TokenizerSpec& spec, const Reader& r) {
    const json pre = tj.contains("pre_tokenizer") ? tj["pre_tokenizer"] : json();
    const json norm = tj.contains("normalizer") ? tj["normalizer"] : json();
    if (typeOf(pre) == "Metaspace") {
        if (!norm.is_null()) r.refuse("a normalizer (" + typeOf(norm) + ") together with Metaspace");
        if (pre.value("replacement", "") != "\xE2\x96\x81" || pre.value("split", false)) r.refuse("Metaspace with a replacement other than '▁' or with split");
        const std::string scheme = pre.value("prepend_scheme", "always");
        if (scheme != "always" && scheme != "first" && scheme != "never") r.refuse("Metaspace prepend_scheme '" + scheme + "'");
        spec.addSpacePrefix = scheme != "never";
        spec.prefixFirstOnly = scheme == "first";
        spec.prefixUnlessSpace = true;  // Metaspace adds no "▁" where the text already starts with one
        return;
    }
    // Gemma's Split on " " runs after the normalizer has replaced every space: it never splits.
    const bool spaceSplit = typeOf(pre) == "Split" && pre.contains("pattern") && pre["pattern"].is_object() &&
                            pre["pattern"].value("String", "") == " " && !pre.value("invert", false);
    if (!pre.is_null() && !spaceSplit) r.refuse("pre-tokenizer '" + typeOf(pre) + "' with byte_fallback");
    // Sequence[Prepend("▁")?, Replace(" ", "▁")], or Replace alone (Gemma: no dummy prefix)
    std::vector<json> steps;
    if (typeOf(norm) == "Sequence" && norm.contains("normalizers") && norm["normalizers"].is_array()) {
        for (const auto& n : norm["normalizers"]) steps.push_back(n);
    } else if (!norm.is_null()) {
        steps.push_back(norm);
    }
    spec.addSpacePrefix = false;
    bool replaced = false;
    for (const auto& n : steps) {
        if (typeOf(n) == "Prepend" && n.value("prepend", "") == "\xE2\x96\x81" && !replaced) {
            spec.addSpacePrefix = true;
        } else if (typeOf(n) == "Replace" && n.contains("pattern") && n["pattern"].is_object() && n["pattern"].value("String", "") == " " &&
                   n.value("content", "") == "\xE2\x96\x81") {
            replaced = true;
        } else {
            r.refuse("normalizer step " + n.dump().substr(0, 120) + " with byte_fallback");
        }
    }
    if (!replaced) r.refuse("byte_fallback BPE without spaces replaced by '▁'");
}

// SentencePiece merges by the score of the merged piece; tokenizer.json lists merges by rank
// instead, generated from the pieces in score order. A piece's score is minus the rank of the first
// merge that makes it, so the highest score is the merge Hugging Face's BPE applies first.
std::vector<float> scoresFromMerges(const std::vector<std::string>& tokens, const std::vector<std::string>& merges, const Reader& r) {
    std::map<std::string, std::size_t> idOf;
    for (std::size_t i = 0; i < tokens.size(); ++i) idOf.emplace(tokens[i], i);
    std::vector<float> scores(tokens.size(), 0.0f);
    std::vector<bool> seen(tokens.size(), false);
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto space = merges[rank].find(' ');
        if (space == std::string::npos) r.fail("merge '" + merges[rank] + "' is not two symbols");
        const auto it = idOf.find(merges[rank].substr(0, space) + merges[rank].substr(space + 1));
        if (it == idOf.end()) r.fail("merge '" + merges[rank] + "' makes a piece that is not in the vocabulary");
        if (!seen[it->second]) scores[it->second] = -static_cast<float>(rank + 1), seen[it->second] = true;
    }
    return scores;
}

TokenizerSpec readSpec(const json& tj, const json& tokenizerConfig, const json& modelConfig, const std::filesystem::path& file) {
    const Reader r(file);
    if (!tj.contains("model") || !tj["model"].is_object()) r.fail("no 'model' object");
    const auto& m = tj["model"];
    if (typeOf(m) != "BPE") r.refuse("model type '" + typeOf(m) + "'");
    const bool sentencePiece = m.value("byte_fallback", false);
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix", "dropout"}) {
        if (m.contains(key) && !m[key].is_null() && !(m[key].is_string() && m[key].get<std::string>().empty())) r.refuse(std::string("BPE ") + key);
    }
    TokenizerSpec spec;
    if (sentencePiece) {
        spec.model = "llama";
        readSpaceRule(tj, spec, r);
    } else {
        if (tj.contains("normalizer") && !tj["normalizer"].is_null() && typeOf(tj["normalizer"]) != "NFC") {
            r.refuse("normalizer '" + typeOf(tj["normalizer"]) + "'");  // NFC: see docs/tokenizer.md
        }
        spec.model = "gpt2";
        // Const operator[] on a missing key is undefined behaviour in nlohmann::json: read absent keys as null.
        const json preJson = tj.contains("pre_tokenizer") ? tj["pre_tokenizer"] : json();
        const auto pre = preJson.is_null() ? std::vector<std::string>{} : preTokenizerPatterns(preJson, r);
        const auto* row = tok::preTokenizerRowFor(pre);
        if (row == nullptr) r.refuse("this pre-tokenizer (" + preJson.dump().substr(0, 160) + ")");
        spec.pre = std::string(row->ids.front());
        if (m.value("ignore_merges", false) != row->ignoreMerges) r.refuse("ignore_merges differing from the " + spec.pre + " pre-tokenizer's");
    }

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

    if (sentencePiece) {
        spec.scores = scoresFromMerges(spec.tokens, spec.merges, r);
        spec.merges.clear();  // the scores carry them
        for (std::size_t i = 0; i < spec.tokens.size(); ++i) {
            if (spec.tokenTypes[i] == 1 && tok::bytePieceValue(spec.tokens[i]) >= 0) spec.tokenTypes[i] = 6;  // byte fallback pieces
        }
    }
    if (tj.contains("post_processor") && !tj["post_processor"].is_null()) readPostProcessor(tj["post_processor"], ids, spec, r);
    // tokenizer_config.json names special tokens by text; config.json by id.
    auto special = [&](const char* token, const char* idKey) {
        return tokenizerConfig.contains(token) ? idOf(ids, tokenContent(tokenizerConfig[token])) : configId(modelConfig, idKey);
    };
    if (spec.bosId < 0) spec.bosId = special("bos_token", "bos_token_id");
    if (spec.eosId < 0 || !spec.addEos) {
        if (const auto eos = special("eos_token", "eos_token_id"); eos >= 0) spec.eosId = eos;
    }
    spec.padId = special("pad_token", "pad_token_id");
    spec.unkId = m.contains("unk_token") ? idOf(ids, tokenContent(m["unk_token"])) : -1;
    if (spec.unkId < 0) spec.unkId = special("unk_token", "unk_token_id");
    if (sentencePiece && spec.unkId >= 0) spec.tokenTypes[static_cast<std::size_t>(spec.unkId)] = 2;  // unknown, not control
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

}  // namespace

TokenizerSpec tokenizerSpecFromHf(const json& tj, const json& tokenizerConfig, const json& modelConfig, const std::filesystem::path& file) {
    try {
        return readSpec(tj, tokenizerConfig, modelConfig, file);
    } catch (const json::exception& e) {  // a field of an unexpected JSON type somewhere the checks above do not look
        throw FormatError(file, std::string("tokenizer: unexpected content (") + e.what() + ")", "The tokenizer file is damaged; download the model again.");
    }
}

}  // namespace avss
