// avss::Tokenizer: special tokens, then per text segment either byte-level BPE (pre-tokenizer →
// BPE per pre-token) or SentencePiece BPE (the escaped segment as one piece), and the decoder back.
// All members are immutable after construction; encode() keeps its working memory (BPE scratch,
// word cache) in locals, which is what makes it const and thread-safe.
#include "avss/tokenizer.h"

#include <optional>
#include <unordered_map>

#include "avss/error.h"
#include "tokenizer/bpe.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/spec_check.h"
#include "tokenizer/spm.h"
#include "tokenizer/utf8.h"

namespace avss {
namespace {

constexpr std::int32_t kUnknownType = 2;
constexpr std::int32_t kControlType = 3;

TokenizerSpec checkedSpec(TokenizerSpec spec) {
    if (spec.model != "gpt2" && spec.model != "llama") {
        throw UnsupportedError({}, "tokenizer model '" + spec.model + "' is not supported",
                               "supported: gpt2 (byte-level BPE), llama (SentencePiece BPE)");
    }
    if (const auto problem = tok::findSpecProblem(spec)) {
        throw FormatError({}, std::string("tokenizer spec field '") + tok::specFieldName(problem->field) + "': " +
                                  problem->what);
    }
    return spec;
}

// What the decoder emits for each token. Byte-level: its bytes, or its own text when it is not in
// the byte-level alphabet (Hugging Face's ByteLevel decoder does the same).
std::vector<std::string> decodedTokens(const TokenizerSpec& spec) {
    if (spec.model == "llama") return tok::SpmModel::decodedPieces(spec.tokens, spec.tokenTypes);
    const auto& tokens = spec.tokens;
    std::vector<std::string> out;
    out.reserve(tokens.size());
    for (const auto& t : tokens) out.push_back(tok::byteLevelDecode(t).value_or(t));
    return out;
}

// Per-call memo of pre-token → ids: natural text repeats its words, so BPE runs once per distinct
// piece. Keys view into the text being encoded, which outlives the call.
class WordCache {
public:
    template <typename Encode>
    void append(std::string_view piece, std::vector<TokenId>& out, Encode&& encode) {
        const auto it = m_index.find(piece);
        if (it != m_index.end()) {
            const auto first = m_store.begin() + static_cast<std::ptrdiff_t>(it->second.first);
            out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(it->second.second));
            return;
        }
        const std::size_t begin = m_store.size();
        encode(piece, m_store);
        m_index.emplace(piece, std::make_pair(begin, m_store.size() - begin));
        out.insert(out.end(), m_store.begin() + static_cast<std::ptrdiff_t>(begin), m_store.end());
    }

private:
    std::unordered_map<std::string_view, std::pair<std::size_t, std::size_t>> m_index;
    std::vector<TokenId> m_store;
};

}  // namespace

struct Tokenizer::Impl {
    explicit Impl(TokenizerSpec s)
        : spec(checkedSpec(std::move(s))),
          pre(spec.model == "gpt2" ? spec.pre : "default"),  // SentencePiece splits nothing before its merges
          bpe(spec.model == "gpt2" ? spec.tokens : std::vector<std::string>{}, spec.merges, pre.ignoreMerges()),
          specials(spec.tokens, spec.tokenTypes),
          tokenBytes(decodedTokens(spec)) {
        if (spec.model == "llama") spm.emplace(spec.tokens, spec.scores, spec.tokenTypes, spec.unkId);
    }

    TokenizerSpec spec;
    tok::PreTokenizer pre;
    tok::BpeModel bpe;                    // byte-level models
    std::optional<tok::SpmModel> spm;     // SentencePiece models
    tok::SpecialTokenSplitter specials;
    std::vector<std::string> tokenBytes;

    void checkId(TokenId id) const {
        if (id < 0 || static_cast<std::size_t>(id) >= spec.tokens.size()) {
            throw UsageError({}, "token id " + std::to_string(id) + " is out of range",
                             "the vocabulary has " + std::to_string(spec.tokens.size()) + " tokens");
        }
    }
    // What Hugging Face's skip_special_tokens drops: its special added tokens, control pieces and "<unk>".
    bool isSkippable(TokenId id) const {
        if (spec.tokenTypes.empty()) return false;
        const auto type = spec.tokenTypes[static_cast<std::size_t>(id)];
        return type == kControlType || type == kUnknownType;
    }
};

Tokenizer::Tokenizer(TokenizerSpec spec) : m_impl(std::make_unique<Impl>(std::move(spec))) {}
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

std::vector<TokenId> Tokenizer::encode(std::string_view text, bool addSpecial, bool parseSpecial) const {
    if (const auto bad = tok::firstInvalidUtf8(text)) {
        throw FormatError({}, "text is not valid UTF-8 (byte offset " + std::to_string(*bad) + ")",
                          "convert the input to UTF-8 first");
    }
    const Impl& m = *m_impl;
    std::vector<TokenId> ids;
    if (addSpecial && m.spec.addBos && m.spec.bosId >= 0) ids.push_back(m.spec.bosId);

    std::vector<tok::TextSegment> segments;
    if (parseSpecial) {
        m.specials.split(text, segments);
    } else if (!text.empty()) {
        segments.push_back({text, -1});
    }
    tok::BpeScratch scratch;
    WordCache cache;
    const auto encodeWord = [&](std::string_view piece, std::vector<TokenId>& out) {
        m.bpe.encodeWord(piece, out, scratch);
    };
    for (const auto& segment : segments) {
        if (segment.special >= 0) {
            ids.push_back(segment.special);
            continue;
        }
        if (m.spm) {
            const bool atStart = segment.text.data() == text.data();
            const bool prefix = m.spec.addSpacePrefix && (atStart || !m.spec.prefixFirstOnly) &&
                                !(m.spec.prefixUnlessSpace && !segment.text.empty() && segment.text.front() == ' ');
            m.spm->encode(tok::spmEscape(segment.text, prefix), ids);
        } else {
            m.pre.split(segment.text, [&](std::string_view piece) { cache.append(piece, ids, encodeWord); });
        }
    }
    if (addSpecial && m.spec.addEos && m.spec.eosId >= 0) ids.push_back(m.spec.eosId);
    return ids;
}

std::string Tokenizer::decode(const std::vector<TokenId>& ids, bool skipSpecial) const {
    const Impl& m = *m_impl;
    std::string bytes;
    for (const TokenId id : ids) {
        m.checkId(id);
        if (skipSpecial && m.isSkippable(id)) continue;
        bytes += m.tokenBytes[static_cast<std::size_t>(id)];
    }
    if (m.spm && m.spec.addSpacePrefix && !bytes.empty() && bytes.front() == ' ') bytes.erase(0, 1);  // HF's Strip(left = 1)
    // Invalid UTF-8 is replaced over the whole byte string, so a character split across tokens survives.
    return tok::decodeUtf8Lossy(bytes);
}

std::int32_t Tokenizer::vocabSize() const { return static_cast<std::int32_t>(m_impl->spec.tokens.size()); }

const std::string& Tokenizer::tokenText(TokenId id) const {
    m_impl->checkId(id);
    return m_impl->spec.tokens[static_cast<std::size_t>(id)];
}

bool Tokenizer::isSpecial(TokenId id) const {
    m_impl->checkId(id);
    const auto& types = m_impl->spec.tokenTypes;
    return !types.empty() && tok::isSpecialType(types[static_cast<std::size_t>(id)]);
}

TokenId Tokenizer::bosId() const { return m_impl->spec.bosId; }
bool Tokenizer::prependsBos() const { return m_impl->spec.addBos && m_impl->spec.bosId >= 0; }
TokenId Tokenizer::eosId() const { return m_impl->spec.eosId; }
TokenId Tokenizer::padId() const { return m_impl->spec.padId; }
const TokenizerSpec& Tokenizer::spec() const { return m_impl->spec; }

}  // namespace avss
