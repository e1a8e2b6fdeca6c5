// The rows below are the only place that knows a model family's pre-tokenizer; a new family adds a
// row. Patterns are Hugging Face's (tokenizer.json), which llama.cpp's llama-vocab.cpp mirrors.
#include "tokenizer/pretokenizer.h"

#include <algorithm>

#include "avss/error.h"

namespace avss::tok {
namespace {

// GPT-2 / ByteLevel(use_regex = true). HF keeps the final \s+; "a   b" → "a", "  ", " b".
constexpr std::string_view kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Digits(individual_digits = true): every numeric character (Rust char::is_numeric ≈ \p{N}) alone.
constexpr std::string_view kEachDigit = R"(\p{N})";

constexpr std::string_view kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

constexpr std::string_view kQwen2 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

}  // namespace

const std::vector<PreTokenizerRow>& preTokenizerTable() {
    static const std::vector<PreTokenizerRow> table = {
        // SmolLM/SmolLM2, StarCoder: Sequence[Digits(individual_digits), ByteLevel(use_regex = true)].
        {{"smollm", "starcoder"}, {kEachDigit, kGpt2}, false},
        // GPT-2: ByteLevel(use_regex = true). llama.cpp's own "default" list differs; HF's is this one.
        {{"gpt2", "gpt-2", "default"}, {kGpt2}, false},
        // Llama-3: Split(Isolated) + ByteLevel(use_regex = false); its tokenizer.json sets ignore_merges.
        {{"llama-bpe", "llama3"}, {kLlama3}, true},
        // Qwen2: as Llama-3 with single digits and without ignore_merges.
        {{"qwen2"}, {kQwen2}, false},
    };
    return table;
}

std::string_view byteLevelRegex() { return kGpt2; }
std::string_view eachDigitRegex() { return kEachDigit; }

const PreTokenizerRow* preTokenizerRowFor(const std::vector<std::string>& patterns) {
    for (const auto& row : preTokenizerTable()) {
        if (std::equal(row.patterns.begin(), row.patterns.end(), patterns.begin(), patterns.end())) return &row;
    }
    return nullptr;
}

std::string knownPreTokenizerIds() {
    std::string out;
    for (const auto& row : preTokenizerTable()) {
        for (const auto id : row.ids) {
            if (!out.empty()) out += ", ";
            out += id;
        }
    }
    return out;
}

PreTokenizer::PreTokenizer(std::string_view pre) {
    for (const auto& row : preTokenizerTable()) {
        for (const auto id : row.ids) {
            if (id != pre) continue;
            for (const auto pattern : row.patterns) m_stages.emplace_back(withOnigurumaWhitespace(pattern));
            m_ignoreMerges = row.ignoreMerges;
            return;
        }
    }
    throw UnsupportedError({}, "pre-tokenizer '" + std::string(pre) + "' is not supported",
                           "supported: " + knownPreTokenizerIds());
}

void PreTokenizer::split(std::string_view text, const std::function<void(std::string_view)>& onPiece) const {
    splitFrom(0, text, onPiece);
}

void PreTokenizer::splitFrom(std::size_t stage, std::string_view text,
                             const std::function<void(std::string_view)>& onPiece) const {
    if (stage == m_stages.size()) {
        onPiece(text);
        return;
    }
    m_stages[stage].splitIsolated(text, [&](std::string_view piece) { splitFrom(stage + 1, piece, onPiece); });
}

}  // namespace avss::tok
