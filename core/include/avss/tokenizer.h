// Text ⇄ token ids for the model families AVSS Explorer runs: byte-level BPE (GPT-2 style: SmolLM,
// Llama 3, Qwen2) and SentencePiece BPE (Llama 1/2, Mistral). Immutable after construction:
// encode()/decode() are const and safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace avss {

// Everything a tokenizer needs, as read from GGUF metadata (tokenizer.ggml.*) or tokenizer.json.
struct TokenizerSpec {
    std::string model;                   // "gpt2" = byte-level BPE; "llama" = SentencePiece BPE (by scores, byte fallback)
    std::string pre;                     // pre-tokenizer id: "smollm", "gpt2"/"default", "llama-bpe", "qwen2", ...
    std::vector<std::string> tokens;     // index = token id, in the model's alphabet (byte-level: Ġ = space)
    std::vector<std::int32_t> tokenTypes;  // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte; may be empty
    std::vector<std::string> merges;     // "left right", rank order (byte-level BPE)
    std::vector<float> scores;           // SentencePiece scores (may be empty)
    std::int32_t bosId = -1, eosId = -1, unkId = -1, padId = -1;  // -1 = none
    bool addBos = false, addEos = false;  // added by encode(..., addSpecial = true)
    bool addSpacePrefix = true;          // SentencePiece: "▁" before each text segment, stripped again by decode
    // Hugging Face's Metaspace pre-tokenizer (tokenizer.json) differs from SentencePiece in two ways:
    bool prefixUnlessSpace = false;      // no "▁" added to a segment that already starts with a space
    bool prefixFirstOnly = false;        // prepend_scheme "first": only the segment at the start of the text
    std::string chatTemplate;            // Jinja source, informational
};

using TokenId = std::int32_t;

class Tokenizer {
public:
    // Throws FormatError (no file: callers add it) on an inconsistent spec (bad merge, id out of range,
    // empty vocabulary) and UnsupportedError for an unknown model or pre-tokenizer (listing known ones).
    explicit Tokenizer(TokenizerSpec spec);
    ~Tokenizer();
    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;

    // Text must be UTF-8 (invalid sequences throw FormatError). addSpecial adds BOS/EOS as the
    // model's Hugging Face tokenizer does; parseSpecial matches special-token text (e.g. "<|im_end|>")
    // as whole tokens, as Hugging Face always does for added tokens.
    std::vector<TokenId> encode(std::string_view text, bool addSpecial = true, bool parseSpecial = true) const;
    // Back to UTF-8 (invalid byte sequences become U+FFFD, as Hugging Face does). SentencePiece: "▁"
    // becomes a space and one leading space goes, as the model's Hugging Face decoder does.
    std::string decode(const std::vector<TokenId>& ids, bool skipSpecial = false) const;

    std::int32_t vocabSize() const;
    const std::string& tokenText(TokenId id) const;  // raw vocabulary piece; throws UsageError when out of range
    bool isSpecial(TokenId id) const;                // unknown, control or user-defined token
    TokenId bosId() const;
    // The model's own rule for a sequence start: BOS goes first when its tokenizer adds one (Gemma yes, SmolLM2 no).
    bool prependsBos() const;
    TokenId eosId() const;
    TokenId padId() const;
    const TokenizerSpec& spec() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// The tokenizer of a GGUF file (no weights are read, so vocabulary-only files work too) or of a
// Hugging Face folder (tokenizer.json). Throws IoError, FormatError or UnsupportedError naming the file.
Tokenizer loadTokenizer(const std::filesystem::path& path);

}  // namespace avss
