// TokenizerSpec → tokenizer.json / tokenizer_config.json (see hf_tokenizer_writer.h). Written so that
// hf_tokenizer.cpp reads it back to the same spec, and transformers' tokenizers library gives the
// same ids (tools/check_hf_gguf_export.py).
#include "tokenizer/hf_tokenizer_writer.h"

#include <algorithm>
#include <map>

#include "avss/error.h"
#include "tokenizer/pretokenizer.h"

namespace avss::tok {
namespace {

using nlohmann::json;

const PreTokenizerRow& rowOf(const std::string& pre) {
    for (const auto& row : preTokenizerTable()) {
        for (const auto id : row.ids) {
            if (id == pre) return row;
        }
    }
    throw UnsupportedError({}, "pre-tokenizer '" + pre + "' has no tokenizer.json form", "Known: " + knownPreTokenizerIds() + ".");
}

// The row's regex list as Hugging Face stages: Digits and ByteLevel(use_regex) where those are the
// regex, Split(Isolated) otherwise, and a final ByteLevel without regex for the byte mapping.
json preTokenizer(const PreTokenizerRow& row) {
    json stages = json::array();
    bool byteLevel = false;
    for (std::size_t i = 0; i < row.patterns.size(); ++i) {
        const auto p = row.patterns[i];
        if (p == eachDigitRegex()) {
            stages.push_back({{"type", "Digits"}, {"individual_digits", true}});
        } else if (p == byteLevelRegex() && i + 1 == row.patterns.size()) {
            stages.push_back({{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}});
            byteLevel = true;
        } else {
            stages.push_back({{"type", "Split"}, {"pattern", {{"Regex", std::string(p)}}}, {"behavior", "Isolated"}, {"invert", false}});
        }
    }
    if (!byteLevel) stages.push_back({{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}});
    return stages.size() == 1 ? stages[0] : json{{"type", "Sequence"}, {"pretokenizers", stages}};
}

json postProcessor(const TokenizerSpec& spec) {
    if (!spec.addBos && !spec.addEos) return {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}};
    json single = json::array(), pair = json::array(), special = json::object();
    auto token = [&](TokenId id) {
        const auto& text = spec.tokens[static_cast<std::size_t>(id)];
        special[text] = {{"id", text}, {"ids", {id}}, {"tokens", {text}}};
        return json{{"SpecialToken", {{"id", text}, {"type_id", 0}}}};
    };
    for (const char* seq : {"A", "B"}) {  // single: A with its tokens; pair: that, then B with its tokens
        auto& list = std::string(seq) == "A" ? single : pair;
        if (spec.addBos && spec.bosId >= 0) list.push_back(token(spec.bosId));
        list.push_back({{"Sequence", {{"id", seq}, {"type_id", 0}}}});
        if (spec.addEos && spec.eosId >= 0) list.push_back(token(spec.eosId));
    }
    pair.insert(pair.begin(), single.begin(), single.end());
    return {{"type", "TemplateProcessing"}, {"single", single}, {"pair", pair}, {"special_tokens", special}};
}

const std::string kSpace = "\xE2\x96\x81";  // ▁

// SentencePiece's merges as transformers' converter lists them: every split of a piece into two
// pieces of the vocabulary, pieces in score order (stable), a piece's splits by (left id, right id).
// hf_tokenizer.cpp's reader turns the ranks back into scores in the same order.
json spmMerges(const TokenizerSpec& spec) {
    std::map<std::string, std::size_t> idOf;
    for (std::size_t i = 0; i < spec.tokens.size(); ++i) idOf.emplace(spec.tokens[i], i);
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < spec.tokens.size(); ++i) {
        const auto type = i < spec.tokenTypes.size() ? spec.tokenTypes[i] : 1;
        if (type == 1 || type == 4) order.push_back(i);  // normal and user-defined pieces can be merged into
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return spec.scores[a] > spec.scores[b]; });
    json merges = json::array();
    for (const auto id : order) {
        const auto& piece = spec.tokens[id];
        std::vector<std::pair<std::size_t, std::size_t>> splits;
        for (std::size_t cut = 1; cut < piece.size(); ++cut) {
            const auto l = idOf.find(piece.substr(0, cut)), r = idOf.find(piece.substr(cut));
            if (l != idOf.end() && r != idOf.end()) splits.emplace_back(l->second, r->second);
        }
        std::sort(splits.begin(), splits.end());
        for (const auto& [l, r] : splits) merges.push_back({spec.tokens[l], spec.tokens[r]});
    }
    return merges;
}

// SentencePiece's own "▁" rule (a prefix on every text segment), not Metaspace's: the older
// Prepend + Replace normaliser says exactly that; Gemma-style models have no prefix.
json spmNormalizer(const TokenizerSpec& spec) {
    const json replace = {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpace}};
    if (!spec.addSpacePrefix) return replace;
    return {{"type", "Sequence"}, {"normalizers", {{{"type", "Prepend"}, {"prepend", kSpace}}, replace}}};
}

json spmDecoder(const TokenizerSpec& spec) {
    json steps = {{{"type", "Replace"}, {"pattern", {{"String", kSpace}}}, {"content", " "}}, {{"type", "ByteFallback"}}, {{"type", "Fuse"}}};
    if (spec.addSpacePrefix) steps.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
    return {{"type", "Sequence"}, {"decoders", steps}};
}

}  // namespace

json hfTokenizerJson(const TokenizerSpec& spec) {
    const bool spm = spec.model == "llama";
    if (!spm && spec.model != "gpt2") throw UnsupportedError({}, "a '" + spec.model + "' tokenizer cannot be written as tokenizer.json");
    if (spm && (spec.scores.size() != spec.tokens.size() || spec.prefixUnlessSpace)) {
        throw UnsupportedError({}, "this SentencePiece tokenizer (no scores, or Metaspace's space rule) cannot be written as tokenizer.json",
                               "Export this model as GGUF.");
    }
    const auto* row = spm ? nullptr : &rowOf(spec.pre);
    json vocab = json::object(), added = json::array();
    for (std::size_t id = 0; id < spec.tokens.size(); ++id) {
        if (vocab.contains(spec.tokens[id])) {  // tokenizer.json maps text → id: a repeated text cannot be written
            throw UnsupportedError({}, "token text '" + spec.tokens[id] + "' appears at ids " + std::to_string(vocab[spec.tokens[id]].get<std::size_t>()) +
                                           " and " + std::to_string(id) + ", which tokenizer.json cannot express",
                                   "Export this model as GGUF.");
        }
        vocab[spec.tokens[id]] = id;
        const auto type = id < spec.tokenTypes.size() ? spec.tokenTypes[id] : 1;
        if (type == 2 || type == 3 || type == 4) {  // unknown, control, user-defined
            added.push_back({{"id", id}, {"content", spec.tokens[id]}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
                             {"normalized", type == 4}, {"special", type != 4}});
        }
    }
    json merges = json::array();
    if (spm) merges = spmMerges(spec);
    for (const auto& m : spec.merges) {
        const auto space = m.find(' ');
        merges.push_back({m.substr(0, space), m.substr(space + 1)});
    }
    const json unk = spm && spec.unkId >= 0 ? json(spec.tokens[static_cast<std::size_t>(spec.unkId)]) : json();
    return {{"version", "1.0"},
            {"truncation", nullptr},
            {"padding", nullptr},
            {"added_tokens", added},
            {"normalizer", spm ? spmNormalizer(spec) : spec.pre == "qwen2" ? json{{"type", "NFC"}} : json()},
            {"pre_tokenizer", spm ? json() : preTokenizer(*row)},
            {"post_processor", postProcessor(spec)},
            {"decoder", spm ? spmDecoder(spec) : json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
            {"model",
             {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", unk}, {"continuing_subword_prefix", nullptr},
              {"end_of_word_suffix", nullptr}, {"fuse_unk", spm}, {"byte_fallback", spm}, {"ignore_merges", !spm && row->ignoreMerges},
              {"vocab", vocab}, {"merges", merges}}}};
}

json hfTokenizerConfig(const TokenizerSpec& spec, int contextLength) {
    json c = {{"tokenizer_class", "PreTrainedTokenizerFast"}, {"add_bos_token", spec.addBos}, {"add_eos_token", spec.addEos},
              {"clean_up_tokenization_spaces", false}, {"model_max_length", contextLength}};
    const auto text = [&](TokenId id) { return spec.tokens[static_cast<std::size_t>(id)]; };
    if (spec.bosId >= 0) c["bos_token"] = text(spec.bosId);
    if (spec.eosId >= 0) c["eos_token"] = text(spec.eosId);
    if (spec.padId >= 0) c["pad_token"] = text(spec.padId);
    if (spec.unkId >= 0) c["unk_token"] = text(spec.unkId);
    if (!spec.chatTemplate.empty()) c["chat_template"] = spec.chatTemplate;
    return c;
}

}  // namespace avss::tok
