// Tokenizer units without a model: byte-level table, UTF-8 handling, BPE merge order on hand-made
// vocabularies, pre-tokenizer splits, special-token splitting, and the Tokenizer facade.
#include <catch2/catch.hpp>

#include "avss/error.h"
#include "avss/tokenizer.h"
#include "tokenizer/bpe.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/regex.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/utf8.h"

using namespace avss;
using namespace avss::tok;
using Catch::Matchers::Contains;
using Ids = std::vector<TokenId>;
using Strings = std::vector<std::string>;

namespace {

Strings pieces(std::string_view pre, std::string_view text) {
    Strings out;
    PreTokenizer(pre).split(text, [&](std::string_view p) { out.emplace_back(p); });
    return out;
}

// BPE over `tokens`, returning the pieces' texts (easier to read than ids).
Strings bpe(const Strings& tokens, const Strings& merges, std::string_view word, bool ignoreMerges = false) {
    const BpeModel model(tokens, merges, ignoreMerges);
    BpeScratch scratch;
    Ids ids;
    model.encodeWord(word, ids, scratch);
    Strings out;
    for (const auto id : ids) out.push_back(tokens.at(static_cast<std::size_t>(id)));
    return out;
}

std::string byteChar(unsigned b) { return byteLevelEncode(std::string(1, static_cast<char>(b))); }

// A small byte-level vocabulary: 4 specials, the 256 byte characters, "hi", "Ġh", "Ġhi".
TokenizerSpec smallSpec() {
    TokenizerSpec s;
    s.model = "gpt2";
    s.pre = "smollm";
    s.tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool>"};
    s.tokenTypes = {3, 3, 3, 4};
    for (unsigned b = 0; b < 256; ++b) {
        s.tokens.push_back(byteChar(b));
        s.tokenTypes.push_back(1);
    }
    for (const char* t : {"hi", "Ġh", "Ġhi"}) {
        s.tokens.push_back(t);
        s.tokenTypes.push_back(1);
    }
    s.merges = {"Ġ h", "Ġh i", "h i"};
    s.bosId = 1;
    s.eosId = 2;
    return s;
}
constexpr TokenId kByte0 = 4, kHi = 260, kSpaceHi = 262;
TokenId byteId(unsigned b) { return kByte0 + static_cast<TokenId>(b); }

}  // namespace

TEST_CASE("byte-level table", "[tokenizer][byte_level]") {
    CHECK(byteToCodePoint(' ') == 0x120);   // Ġ
    CHECK(byteToCodePoint('\n') == 0x10A);  // Ċ
    CHECK(byteToCodePoint('\t') == 0x109);  // ĉ
    CHECK(byteToCodePoint(0x00) == 0x100);
    CHECK(byteToCodePoint(0x7F) == 0x121);
    CHECK(byteToCodePoint(0xA0) == 0x142);
    CHECK(byteToCodePoint(0xAD) == 0x143);
    CHECK(byteToCodePoint('A') == 'A');
    CHECK(byteToCodePoint(0xA1) == 0xA1);
    CHECK(byteToCodePoint(0xFF) == 0xFF);
    for (unsigned b = 0; b < 256; ++b) CHECK(codePointToByte(byteToCodePoint(static_cast<std::uint8_t>(b))) == b);
    CHECK_FALSE(codePointToByte(' ').has_value());
    CHECK_FALSE(codePointToByte(0x144).has_value());
    CHECK(byteLevelEncode(" hi\n") == "\xC4\xA0hi\xC4\x8A");  // "ĠhiĊ"
    CHECK(byteLevelDecode("\xC4\xA0hi") == " hi");
    CHECK(byteLevelDecode("<|im_start|>") == "<|im_start|>");
    CHECK_FALSE(byteLevelDecode("a b").has_value());  // a raw space is not in the alphabet
    CHECK_FALSE(byteLevelDecode("\xE4\xB8\xAD").has_value());
}

TEST_CASE("UTF-8 validation and lossy decoding follow Python's errors='replace'", "[tokenizer][utf8]") {
    CHECK_FALSE(firstInvalidUtf8("plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80").has_value());
    CHECK(firstInvalidUtf8("ab\xFF") == 2u);
    CHECK(firstInvalidUtf8("\xC3") == 0u);              // truncated
    CHECK(firstInvalidUtf8("x\xC0\xAF") == 1u);         // overlong
    CHECK(firstInvalidUtf8("\xED\xA0\x80") == 0u);      // surrogate
    CHECK(firstInvalidUtf8("\xF4\x90\x80\x80") == 0u);  // past U+10FFFF
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(decodeUtf8Lossy("\xE2\x82") == fffd);  // one maximal subpart
    CHECK(decodeUtf8Lossy("\xE2\x82\xAC") == "\xE2\x82\xAC");
    CHECK(decodeUtf8Lossy("\xED\xA0\x80") == fffd + fffd + fffd);
    CHECK(decodeUtf8Lossy("\xF0\x80\x80\x80") == fffd + fffd + fffd + fffd);
    CHECK(decodeUtf8Lossy("A\xE2\x82" "B\xC3") == "A" + fffd + "B" + fffd);
    CHECK(decodeUtf8Lossy("\x80\x41") == fffd + "A");
}

TEST_CASE("BPE merges the lowest rank first", "[tokenizer][bpe]") {
    const Strings tokens = {"a", "b", "c", "ab", "bc", "abc"};
    CHECK(bpe(tokens, {"b c", "a b"}, "abc") == Strings{"a", "bc"});
    CHECK(bpe(tokens, {"a b", "b c"}, "abc") == Strings{"ab", "c"});
    CHECK(bpe(tokens, {"b c", "a b", "a bc"}, "abc") == Strings{"abc"});
    CHECK(bpe(tokens, {"a b", "b c", "a bc"}, "abc") == Strings{"ab", "c"});  // "ab c" is not a merge
    CHECK(bpe(tokens, {}, "cab") == Strings{"c", "a", "b"});
    // A repeated merge keeps its last rank, as Hugging Face's merge map does.
    CHECK(bpe(tokens, {"a b", "b c", "a b"}, "abc") == Strings{"a", "bc"});
}

TEST_CASE("BPE breaks ties leftmost and re-merges new neighbours", "[tokenizer][bpe]") {
    const Strings tokens = {"a", "aa", "aaaa", "b"};
    CHECK(bpe(tokens, {"a a"}, "aaa") == Strings{"aa", "a"});
    CHECK(bpe(tokens, {"a a"}, "aaaaa") == Strings{"aa", "aa", "a"});
    CHECK(bpe(tokens, {"a a", "aa aa"}, "aaaaa") == Strings{"aaaa", "a"});
    CHECK(bpe(tokens, {"a a", "aa aa"}, "aaaaaaaab") == Strings{"aaaa", "aaaa", "b"});
    CHECK(bpe(tokens, {"a a", "aa aa"}, "") == Strings{});
}

TEST_CASE("BPE works on the byte-level alphabet", "[tokenizer][bpe]") {
    const Strings tokens = {"a", "b", "Ġ", "Ġa", "ab", "Ġab"};
    CHECK(bpe(tokens, {"Ġ a", "Ġa b"}, " ab") == Strings{"Ġab"});
    CHECK(bpe(tokens, {"a b", "Ġ a"}, " ab") == Strings{"Ġ", "ab"});
    // 'c' has no token: dropped (HF without unk_token), and its neighbours become adjacent.
    CHECK(bpe(tokens, {"a b"}, "acb") == Strings{"ab"});
}

TEST_CASE("ignore_merges emits a whole word found in the vocabulary", "[tokenizer][bpe]") {
    const Strings tokens = {"a", "b", "c", "ab", "abc"};
    CHECK(bpe(tokens, {"a b"}, "abc") == Strings{"ab", "c"});
    CHECK(bpe(tokens, {"a b"}, "abc", true) == Strings{"abc"});
    CHECK(bpe(tokens, {"a b"}, "abcc", true) == Strings{"ab", "c", "c"});
}

TEST_CASE("\\s is rewritten as Oniguruma's whitespace class", "[tokenizer][regex]") {
    CHECK(withOnigurumaWhitespace(R"(\s+(?!\S))") == R"([\x{9}-\x{D}\x{85}\p{Z}]+(?![^\x{9}-\x{D}\x{85}\p{Z}]))");
    CHECK(withOnigurumaWhitespace(R"( ?[^\s\p{L}])") == R"( ?[^\x{9}-\x{D}\x{85}\p{Z}\p{L}])");
    CHECK(withOnigurumaWhitespace(R"(\\s\p{N})") == R"(\\s\p{N})");  // an escaped backslash, then 's'
    CHECK_THROWS_AS(withOnigurumaWhitespace(R"([\S])"), UnsupportedError);
    CHECK_THROWS_AS(Regex("(unclosed"), UnsupportedError);
}

TEST_CASE("GPT-2 pre-tokenizer splits", "[tokenizer][pretokenizer]") {
    CHECK(pieces("gpt2", "a   b") == Strings{"a", "  ", " b"});
    CHECK(pieces("gpt2", "Hello world! 123") == Strings{"Hello", " world", "!", " 123"});
    CHECK(pieces("gpt2", "it's don't we're I'll") == Strings{"it", "'s", " don", "'t", " we", "'re", " I", "'ll"});
    CHECK(pieces("gpt2", "DON'T") == Strings{"DON", "'", "T"});  // contractions are case-sensitive
    CHECK(pieces("gpt2", "trailing  ") == Strings{"trailing", "  "});
    CHECK(pieces("gpt2", "a\n\n b") == Strings{"a", "\n\n", " b"});
    CHECK(pieces("gpt2", "").empty());
    // U+00A0 is whitespace for Oniguruma; U+180E is not (PCRE2's own \s would take it).
    CHECK(pieces("gpt2", "a\xC2\xA0" "b") == Strings{"a", "\xC2\xA0", "b"});
    CHECK(pieces("gpt2", "\xE1\xA0\x8E!?") == Strings{"\xE1\xA0\x8E!?"});
    CHECK(pieces("gpt2", "\xC2\xA0!?") == Strings{"\xC2\xA0", "!?"});
    CHECK(pieces("default", "a   b") == pieces("gpt2", "a   b"));
}

TEST_CASE("SmolLM pre-tokenizer isolates every numeric character first", "[tokenizer][pretokenizer]") {
    CHECK(pieces("smollm", " 123") == Strings{" ", "1", "2", "3"});
    CHECK(pieces("smollm", "a1b2") == Strings{"a", "1", "b", "2"});
    CHECK(pieces("smollm", "x\xC2\xB2 \xC2\xBD") == Strings{"x", "\xC2\xB2", " ", "\xC2\xBD"});  // x² ½
    CHECK(pieces("smollm", "  42  ") == Strings{"  ", "4", "2", "  "});  // the lookahead stops at a digit
    CHECK(pieces("smollm", "3.14") == Strings{"3", ".", "1", "4"});
    CHECK(pieces("smollm", "it's") == Strings{"it", "'s"});
}

TEST_CASE("Llama-3 and Qwen2 pre-tokenizers", "[tokenizer][pretokenizer]") {
    CHECK(pieces("llama-bpe", "Hello world 12345") == Strings{"Hello", " world", " ", "123", "45"});
    CHECK(pieces("llama3", "I'M here") == Strings{"I", "'M", " here"});  // (?i:...) contractions
    CHECK(pieces("llama-bpe", "x\n\n  y") == Strings{"x", "\n\n", " ", " y"});
    CHECK(pieces("qwen2", "12345") == Strings{"1", "2", "3", "4", "5"});
    CHECK(PreTokenizer("llama-bpe").ignoreMerges());
    CHECK_FALSE(PreTokenizer("smollm").ignoreMerges());
}

TEST_CASE("unknown pre-tokenizer lists the known ones", "[tokenizer][pretokenizer]") {
    CHECK_THROWS_AS(PreTokenizer("klingon"), UnsupportedError);
    CHECK_THROWS_WITH(PreTokenizer("klingon"), Contains("klingon") && Contains("smollm") && Contains("qwen2"));
}

TEST_CASE("a long whitespace run splits without exhausting the regex stack", "[tokenizer][pretokenizer]") {
    const std::string text = std::string(200000, ' ') + "x";
    CHECK(pieces("smollm", text) == Strings{std::string(199999, ' '), " x"});
}

TEST_CASE("special tokens: leftmost, then longest", "[tokenizer][special]") {
    const SpecialTokenSplitter split({"<|im", "<|im_start|>", "<|im_end|>", "plain", "<u>", ""}, {3, 3, 3, 1, 4, 3});
    const auto run = [&](std::string_view text) {
        std::vector<TextSegment> out;
        split.split(text, out);
        std::vector<std::pair<std::string, TokenId>> flat;
        for (const auto& s : out) flat.emplace_back(std::string(s.text), s.special);
        return flat;
    };
    using Flat = std::vector<std::pair<std::string, TokenId>>;
    CHECK(run("<|im_start|>") == Flat{{"", 1}});
    CHECK(run("<|im_x") == Flat{{"", 0}, {"_x", -1}});
    CHECK(run("a<|im_start|><|im_end|>b") == Flat{{"a", -1}, {"", 1}, {"", 2}, {"b", -1}});
    CHECK(run("plain <u>") == Flat{{"plain ", -1}, {"", 4}});  // type 1 is text, type 4 is split
    CHECK(run("<|i") == Flat{{"<|i", -1}});
    CHECK(run("").empty());
    CHECK(SpecialTokenSplitter({"<s>"}, {}).empty());
}

TEST_CASE("Tokenizer encodes with specials, BOS/EOS and BPE", "[tokenizer]") {
    const Tokenizer t(smallSpec());
    CHECK(t.encode("hi hi") == Ids{kHi, kSpaceHi});
    CHECK(t.encode("<|im_start|>hi<|im_end|>") == Ids{1, kHi, 2});
    CHECK(t.encode("<tool> hi") == Ids{3, kSpaceHi});
    CHECK(t.encode("") == Ids{});
    CHECK(t.encode("h1") == Ids{byteId('h'), byteId('1')});
    const Ids asText = t.encode("<|im_end|>", true, false);
    CHECK(asText.size() == 10);
    CHECK(t.decode(asText) == "<|im_end|>");

    auto spec = smallSpec();
    spec.addBos = spec.addEos = true;
    const Tokenizer withEnds(spec);
    CHECK(withEnds.encode("hi") == Ids{1, kHi, 2});
    CHECK(withEnds.encode("hi", false) == Ids{kHi});
}

TEST_CASE("Tokenizer rejects invalid UTF-8", "[tokenizer]") {
    const Tokenizer t(smallSpec());
    for (const std::string bad : {"\xFF", "ok\xC3", "\xC0\xAF", "\xED\xA0\x80", "a\x80"}) {
        CHECK_THROWS_AS(t.encode(bad), FormatError);
    }
    CHECK_THROWS_WITH(t.encode("ok\xC3"), Contains("not valid UTF-8") && Contains("byte offset 2"));
}

TEST_CASE("Tokenizer decodes bytes, replaces invalid UTF-8 and skips control tokens", "[tokenizer]") {
    const Tokenizer t(smallSpec());
    CHECK(t.decode({kSpaceHi, byteId('!')}) == " hi!");
    CHECK(t.decode({byteId(0xE2), byteId(0x82)}) == "\xEF\xBF\xBD");
    CHECK(t.decode({byteId(0xE2), byteId(0x82), byteId(0xAC)}) == "\xE2\x82\xAC");  // split across tokens
    CHECK(t.decode({1, kHi, 3, 2}) == "<|im_start|>hi<tool><|im_end|>");
    CHECK(t.decode({1, kHi, 3, 2}, true) == "hi<tool>");  // user-defined tokens stay
    CHECK_THROWS_AS(t.decode({9999}), UsageError);
    CHECK_THROWS_AS(t.decode({-1}), UsageError);
    CHECK_THROWS_AS(t.tokenText(t.vocabSize()), UsageError);
    CHECK(t.tokenText(kHi) == "hi");
    CHECK(t.isSpecial(3));
    CHECK_FALSE(t.isSpecial(kHi));
    CHECK(t.bosId() == 1);
    CHECK(t.eosId() == 2);
}

TEST_CASE("Tokenizer rejects unsupported or inconsistent specs", "[tokenizer]") {
    auto wordPiece = smallSpec();
    wordPiece.model = "bert";
    CHECK_THROWS_AS(Tokenizer(wordPiece), UnsupportedError);
    CHECK_THROWS_WITH(Tokenizer(wordPiece), Contains("bert") && Contains("gpt2") && Contains("llama"));
    auto pre = smallSpec();
    pre.pre = "nope";
    CHECK_THROWS_WITH(Tokenizer(pre), Contains("nope") && Contains("smollm"));
    auto merge = smallSpec();
    merge.merges.push_back("h zz");
    CHECK_THROWS_WITH(Tokenizer(merge), Contains("merges") && Contains("'zz' is not in the vocabulary"));
    auto types = smallSpec();
    types.tokenTypes.pop_back();
    CHECK_THROWS_WITH(Tokenizer(types), Contains("tokenTypes"));
    auto bos = smallSpec();
    bos.bosId = 100000;
    CHECK_THROWS_AS(Tokenizer(bos), FormatError);
    TokenizerSpec empty;
    empty.model = "gpt2";
    empty.pre = "smollm";
    CHECK_THROWS_WITH(Tokenizer(empty), Contains("tokens") && Contains("empty"));
}
