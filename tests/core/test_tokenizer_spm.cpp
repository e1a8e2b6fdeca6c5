// SentencePiece BPE (tokenizer.ggml.model "llama") against Google's sentencepiece: a vocabulary
// trained by tools/make_tiny_spm.py, and the ids and text SentencePieceProcessor gives for every
// test string (most of them need byte fallback). Then the rules around it: BOS, special tokens
// between segments, no space prefix, an unknown piece without byte pieces.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "avss/tokenizer.h"

using namespace avss;

namespace {

const std::string kData = AVSS_TEST_DATA_DIR;

const Tokenizer& tinySpm() {
    static const Tokenizer t = loadTokenizer(kData + "/tiny_spm.gguf");
    return t;
}

std::string piece(TokenId id) { return tinySpm().tokenText(id); }

}  // namespace

TEST_CASE("SentencePiece BPE gives sentencepiece's ids and text for every test string", "[tokenizer][spm]") {
    std::ifstream in(kData + "/tiny_spm_expected.json");
    REQUIRE(in);
    const auto doc = nlohmann::json::parse(in);
    const auto& t = tinySpm();
    REQUIRE(t.vocabSize() == doc["vocab_size"].get<int>());
    int checked = 0;
    for (const auto& c : doc["cases"]) {
        const auto text = c["text"].get<std::string>();
        const auto want = c["ids"].get<std::vector<TokenId>>();
        INFO("text: " << text.substr(0, 60));
        CHECK(t.encode(text, false) == want);
        CHECK(t.decode(want) == c["decoded"].get<std::string>());
        ++checked;
    }
    CHECK(checked == 346);
    CHECK(doc["byte_fallback_cases"].get<int>() > 100);  // the fixture does exercise byte fallback
}

TEST_CASE("SentencePiece: BOS, special tokens between segments, and the space prefix", "[tokenizer][spm]") {
    const auto& t = tinySpm();
    const auto hello = t.encode("Hello", false);
    REQUIRE_FALSE(hello.empty());
    CHECK(piece(hello.front()).rfind("\xE2\x96\x81", 0) == 0);  // "▁" in front: the dummy prefix
    auto withBos = hello;
    withBos.insert(withBos.begin(), t.bosId());
    CHECK(t.encode("Hello") == withBos);
    CHECK(t.encode("") == std::vector<TokenId>{t.bosId()});
    CHECK(t.encode("", false).empty());
    // "</s>" is a control piece: matched whole, and the text after it starts a new segment with its prefix.
    auto joined = hello;
    joined.push_back(t.eosId());
    for (const auto id : hello) joined.push_back(id);
    CHECK(t.encode("Hello</s>Hello", false) == joined);
    CHECK(t.decode(joined, true) == "Hello Hello");  // only the text's first space is stripped, as HF's Strip decoder

    auto spec = t.spec();
    spec.addSpacePrefix = false;
    const Tokenizer bare(spec);
    const auto ids = bare.encode("Hello", false);
    REQUIRE_FALSE(ids.empty());
    CHECK(bare.tokenText(ids.front()).rfind("\xE2\x96\x81", 0) != 0);
    CHECK(bare.decode(bare.encode(" Hello", false)) == " Hello");  // no prefix added, none stripped
}

TEST_CASE("SentencePiece without byte pieces: an unknown character is the unknown piece once", "[tokenizer][spm]") {
    TokenizerSpec spec;
    spec.model = "llama";
    spec.tokens = {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "\xE2\x96\x81" "a", "b"};
    spec.tokenTypes = {2, 3, 3, 1, 1, 1, 1};
    spec.scores = {0, 0, 0, -1, -2, -0.5f, -3};
    spec.unkId = 0;
    spec.bosId = 1;
    spec.eosId = 2;
    const Tokenizer t(spec);
    CHECK(t.encode("a\xC3\xA9" "b", false) == std::vector<TokenId>{5, 0, 6});  // ▁a, é unknown, b
    CHECK(t.encode("a a", false) == std::vector<TokenId>{5, 5});
    CHECK(t.decode({5, 5}) == "a a");
    spec.unkId = -1;
    CHECK(Tokenizer(spec).encode("\xC3\xA9", false) == std::vector<TokenId>{3});  // no unknown piece: dropped
}
