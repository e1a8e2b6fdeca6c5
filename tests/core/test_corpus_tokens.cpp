// Streamed corpus tokenization: the tokens equal those of tokenizing the joined text whole, for
// every pre-tokenizer row and awkward text; reading stops at maxTokens; errors in the part read
// still name the file. Torch-free: the tokenizer comes from tests/data/tiny_llama.gguf.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <random>
#include <unordered_set>

#include "avss/corpus.h"
#include "avss/corpus_tokens.h"
#include "avss/error.h"
#include "io/gguf_file.h"
#include "support/temp_dir.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/gguf_tokenizer.h"
#include "tokenizer/stream_cut.h"
#include "util/chunked_tokens.h"
#include "util/sha256.h"

using namespace avss;
using Catch::Matchers::Contains;
using Ids = std::vector<TokenId>;

namespace {

TokenizerSpec tinySpec() {
    static const auto spec = tokenizerSpecFromGguf(io::GgufFile::open(std::string(AVSS_TEST_DATA_DIR) + "/tiny_llama.gguf"));
    return spec;
}

// The tiny vocabulary with pre-tokenizer `pre`, plus a merge for every pair of ASCII characters, so
// a pre-token split differently shows in the ids (".\n" one token, "." "\n" two), and a user-defined
// token whose text has a space after a letter, i.e. lies across what would otherwise be a safe cut.
Tokenizer tokenizerWith(const std::string& pre) {
    auto spec = tinySpec();
    spec.pre = pre;
    std::string chars = "\t\n\v\f\r";
    for (char c = 0x20; c < 0x7F; ++c) chars += c;
    std::unordered_set<std::string> tokens(spec.tokens.begin(), spec.tokens.end()), merges(spec.merges.begin(), spec.merges.end());
    for (const char x : chars) {
        for (const char y : chars) {
            const auto a = tok::byteLevelEncode(std::string(1, x)), b = tok::byteLevelEncode(std::string(1, y));
            if (merges.count(a + " " + b)) continue;
            if (tokens.insert(a + b).second) spec.tokens.push_back(a + b);
            spec.merges.push_back(a + " " + b);
        }
    }
    spec.tokenTypes.resize(spec.tokens.size(), 1);
    spec.tokens.push_back("ab cd");
    spec.tokenTypes.push_back(4);
    return Tokenizer(std::move(spec));
}

// Text that stresses every rule the cut depends on: whitespace runs of each kind, punctuation
// before line breaks, digits, contractions, non-ASCII letters, special tokens and long stretches
// without any letter-or-digit-then-space boundary.
std::string awkwardText(std::size_t bytes, std::uint32_t seed) {
    static const std::vector<std::string> parts = {
        "word", " ", "  ", "\n", "\n\n", "\n\n\n", "\r\n", "\t", " \n", "\n ", ".", ".\n", "!\n\n", ",", "'s", "'LL",
        "12345", "7", " 42", "café", "日本語", "Ωμέγα", "🙂", "<|im_start|>", "<|im_end|>", "ab cd", "ab", "cd",
        " ab cd ", "x", "Z9", "\u00a0", "\u3000", "--", "\"", "(", ")", "\f", "\v"};
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, parts.size() - 1);
    std::string s;
    while (s.size() < bytes) {
        if (rng() % 97 == 0) s += std::string(300 + rng() % 400, '=');  // no boundary for a while
        s += parts[pick(rng)];
    }
    return s;
}

Corpus memoryCorpus(std::vector<std::string> documents) {
    Corpus c;
    c.name = "test";
    c.format = "text";
    c.documents = std::move(documents);
    return c;
}

std::uint64_t fileSize(const std::filesystem::path& p) { return std::filesystem::file_size(p); }

}  // namespace

TEST_CASE("stream cut: a letter or digit then ASCII whitespace, no special token across", "[corpus][tokens]") {
    const auto tz = tokenizerWith("smollm");
    const tok::StreamCut cut(tz);
    REQUIRE(cut.lookahead() >= 4);  // "ab cd" and "<|im_start|>"
    const std::string s = "hello world.\nfoo\tbar ab cd 12 <|im_start|>x, y" + std::string(100, '.');
    CHECK(cut.safeAt(s, 5));                  // "hello| world"
    CHECK_FALSE(cut.safeAt(s, 4));            // inside a word
    CHECK_FALSE(cut.safeAt(s, 12));           // ".|\n": punctuation may take the line break (Llama-3)
    CHECK(cut.safeAt(s, 16));                 // "foo|\t"
    CHECK_FALSE(cut.safeAt(s, s.find("ab cd") + 2));  // the special "ab cd" lies across it
    CHECK(cut.safeAt(s, s.find("12") + 2));   // "12| <"
    CHECK_FALSE(cut.safeAt(s, s.find(", y") + 1));  // ",| y"
    CHECK(cut.lastSafeCut(s) == s.find("12") + 2);
    CHECK(cut.lastSafeCut(s, s.find("12") + 3) == 0);
    CHECK(cut.lastSafeCut("no") == 0);
    CHECK(tok::utf8CutBefore("a\xC3\xA9", 2) == 1);  // not inside é
    CHECK(tok::utf8CutBefore("a\xC3\xA9", 3) == 3);
    CHECK(tok::utf8CutBefore("\xF0\x9F\x99\x82", 3) == 0);
}

TEST_CASE("streamed tokens equal whole-text tokens for every pre-tokenizer", "[corpus][tokens]") {
    const corpus::ChunkSizes small{64, 4096};  // many cuts on a small text
    for (const char* pre : {"smollm", "gpt2", "llama-bpe", "qwen2"}) {
        const auto tz = tokenizerWith(pre);
        for (std::uint32_t seed = 1; seed <= 4; ++seed) {
            INFO("pre-tokenizer " << pre << ", seed " << seed);
            const auto corpus = memoryCorpus({awkwardText(40000, seed), awkwardText(3000, seed + 100), "", "tail"});
            const auto whole = tz.encode(corpus.joined(), /*addSpecial=*/false);
            const auto streamed = corpus::tokenizeCorpus(tz, corpus, 0, small);
            CHECK(streamed.forcedCuts == 0);
            CHECK(streamed.complete);
            CHECK(streamed.bytesRead == corpus.joined().size());
            CHECK(streamed.tokensRead == static_cast<std::int64_t>(whole.size()));
            REQUIRE(streamed.tokens.size() == whole.size());
            CHECK(streamed.tokens == whole);
            const auto first = corpus::tokenizeCorpus(tz, corpus, 1000, small);  // the same prefix, read early
            CHECK_FALSE(first.complete);
            CHECK(first.tokens == Ids(whole.begin(), whole.begin() + 1000));
            CHECK(first.bytesRead < corpus.joined().size() / 2);
        }
    }
}

TEST_CASE("streamed tokens with the default chunk sizes, and a forced cut in text without boundaries", "[corpus][tokens]") {
    const auto tz = tokenizerWith("smollm");
    const auto corpus = memoryCorpus({awkwardText(700000, 7), awkwardText(300000, 8)});
    CHECK(tokenizeCorpus(tz, corpus).tokens == tz.encode(corpus.joined(), false));

    const auto noBoundary = memoryCorpus({std::string(9000, '=') + " word"});
    const auto forced = corpus::tokenizeCorpus(tz, noBoundary, 0, corpus::ChunkSizes{64, 1024});
    CHECK(forced.forcedCuts >= 8);  // memory stayed bounded: the text was cut every 1 KiB or so
    CHECK(forced.complete);
}

TEST_CASE("openCorpus checks and fingerprints like loadCorpus without holding the text", "[corpus][tokens]") {
    test::TempDir dir;
    // Several read blocks, with multi-byte characters across the block boundaries.
    std::string big;
    while (big.size() < 3 * (std::size_t{1} << 20)) big += "Grüße aus Köln, 東京 🙂 and more words\n";
    test::writeText(dir / "big.txt", big);
    test::writeText(dir / "docs.jsonl", "{\"text\": \"first \\u00e9\", \"id\": 1}\n\n{\"id\": {\"text\": 1}, \"text\": \"second\"}\r\n");
    for (const char* name : {"big.txt", "docs.jsonl"}) {
        INFO(name);
        const auto loaded = loadCorpus((dir / name).string());
        const auto opened = openCorpus((dir / name).string());
        CHECK(opened.streamed);
        CHECK(opened.documents.empty());
        CHECK(opened.format == loaded.format);
        CHECK(opened.fingerprint == loaded.fingerprint);  // the analysis cache key does not change
        CHECK(opened.joined() == loaded.joined());
    }
    CHECK(loadCorpus((dir / "docs.jsonl").string()).documents == std::vector<std::string>{"first \xC3\xA9", "second"});
    util::Sha256 before;  // the fingerprint as the whole-file reader computed it: format, field, length, bytes
    const std::uint64_t size = big.size();
    before.update("text\n\n", 6);
    before.update(&size, sizeof size);
    before.update(big.data(), big.size());
    CHECK(openCorpus((dir / "big.txt").string()).fingerprint == before.finishHex());

    const auto tz = tokenizerWith("smollm");
    const auto opened = openCorpus((dir / "big.txt").string());
    CHECK(tokenizeCorpus(tz, opened).tokens == tz.encode(big, false));
    const auto jsonl = openCorpus((dir / "docs.jsonl").string());
    CHECK(tokenizeCorpus(tz, jsonl).tokens == tz.encode("first \xC3\xA9\n\nsecond", false));
}

TEST_CASE("reading stops at maxTokens: what follows is never read", "[corpus][tokens]") {
    test::TempDir dir;
    const auto tz = tokenizerWith("smollm");
    std::string text;
    while (text.size() < 4 * (std::size_t{1} << 20)) text += "The lighthouse keeper wrote 12 lines each night.\n";
    test::writeText(dir / "a.txt", text);
    const auto corpus = openCorpus((dir / "a.txt").string());
    const auto whole = tz.encode(text, false);

    // The file's tail goes bad after it was opened (same size): a read that stops early never sees it.
    {
        std::fstream f(dir / "a.txt", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(text.size() - 100));
        f.write("\xFF\x00\xFF", 3);
    }
    const auto first = tokenizeCorpus(tz, corpus, 5000);
    CHECK(first.tokens == Ids(whole.begin(), whole.begin() + 5000));
    CHECK_FALSE(first.complete);
    CHECK(first.bytesRead <= (std::size_t{1} << 20));  // one read block, not 4 MiB
    CHECK(first.tokensRead <= static_cast<std::int64_t>(first.bytesRead));
    CHECK_THROWS_WITH(tokenizeCorpus(tz, corpus), Contains("a.txt") && Contains("NUL byte at offset " + std::to_string(text.size() - 99)));
}

TEST_CASE("streamed input keeps the errors: file, line or offset, and what", "[corpus][tokens][corrupt]") {
    test::TempDir dir;
    const auto p = [&](const char* name) { return (dir / name).string(); };
    const std::string mib(std::size_t{1} << 20, 'a');

    test::writeText(dir / "late-nul.txt", mib + "xy" + std::string(1, '\0'));
    CHECK_THROWS_WITH(openCorpus(p("late-nul.txt")), Contains("late-nul.txt") && Contains("NUL byte at offset 1048578"));
    // A bad sequence across the 1 MiB block boundary, and a character cut off by the end of the file.
    test::writeText(dir / "split.txt", mib.substr(1) + "\xE6\x97" + "x");
    CHECK_THROWS_WITH(openCorpus(p("split.txt")), Contains("not valid UTF-8") && Contains("offset 1048575"));
    test::writeText(dir / "cut.txt", mib.substr(2) + "\xE6\x97");
    CHECK_THROWS_WITH(openCorpus(p("cut.txt")), Contains("not valid UTF-8") && Contains("offset 1048574"));
    test::writeText(dir / "fine.txt", mib.substr(1) + "\xE6\x97\xA5");  // 日 across the boundary is fine
    CHECK(openCorpus(p("fine.txt")).fingerprint == loadCorpus(p("fine.txt")).fingerprint);

    test::writeText(dir / "late.jsonl", "{\"text\": \"ok\"}\n\n{\"text\": \"ok\"}\n{\"text\": [1]}\n");
    CHECK_THROWS_WITH(openCorpus(p("late.jsonl")), Contains("late.jsonl:4") && Contains("not a string"));
    test::writeText(dir / "dup.jsonl", "{\"text\": \"a\", \"text\": 2}\n");  // the last value counts, as in nlohmann::json
    CHECK_THROWS_WITH(openCorpus(p("dup.jsonl")), Contains("dup.jsonl:1") && Contains("not a string"));
    test::writeText(dir / "nested.jsonl", "{\"meta\": {\"text\": \"no\"}}\n");
    CHECK_THROWS_WITH(openCorpus(p("nested.jsonl")), Contains("nested.jsonl:1") && Contains("field 'text' is missing"));
    test::writeText(dir / "array.jsonl", "[\"text\"]\n");
    CHECK_THROWS_WITH(openCorpus(p("array.jsonl")), Contains("array.jsonl:1") && Contains("field 'text' is missing"));
    test::writeText(dir / "trailing.jsonl", "{\"text\": \"a\"} x\n");
    CHECK_THROWS_WITH(openCorpus(p("trailing.jsonl")), Contains("trailing.jsonl:1") && Contains("malformed JSON"));
    test::writeText(dir / "surrogate.jsonl", "{\"text\": \"\\ud800\"}\n");
    CHECK_THROWS_WITH(openCorpus(p("surrogate.jsonl")), Contains("surrogate.jsonl:1") && Contains("malformed JSON"));
    test::writeText(dir / "blank.jsonl", "\n \r\n");
    CHECK_THROWS_WITH(openCorpus(p("blank.jsonl")), Contains("blank.jsonl") && Contains("contains no text"));
    CHECK_THROWS_AS(openCorpus(p("absent.txt")), IoError);

    // One JSONL record over the 64 MiB limit is an error naming the line; memory stays at the limit.
    {
        std::ofstream out(dir / "huge.jsonl", std::ios::binary);
        out << "{\"text\": \"ok\"}\n{\"text\": \"";
        const std::string block(std::size_t{1} << 20, 'w');
        for (int i = 0; i < 65; ++i) out << block;
        out << "\"}\n";
    }
    CHECK_THROWS_WITH(openCorpus(p("huge.jsonl")), Contains("huge.jsonl:2") && Contains("longer than 64 MiB"));
    CHECK(fileSize(dir / "huge.jsonl") > (std::uint64_t{65} << 20));
}
