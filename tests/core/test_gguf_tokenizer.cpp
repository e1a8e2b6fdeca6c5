// tokenizerSpecFromGguf on small GGUF files written with GgufWriter: the values it reads, the
// defaults for absent keys, and one broken key per case, each reported with the file and the key.
#include <catch2/catch.hpp>

#include "avss/error.h"
#include "io/gguf_file.h"
#include "io/gguf_writer.h"
#include "support/temp_dir.h"
#include "tokenizer/gguf_tokenizer.h"

using namespace avss;
using namespace avss::io;
using Catch::Matchers::Contains;

namespace {

GgufWriter tokenizerWriter() {
    GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setString("tokenizer.ggml.model", "gpt2");
    w.setString("tokenizer.ggml.pre", "smollm");
    w.setStringArray("tokenizer.ggml.tokens", {"<|endoftext|>", "a", "b", "ab", "\xC4\xA0"});
    w.setI32Array("tokenizer.ggml.token_type", {3, 1, 1, 1, 1});
    w.setStringArray("tokenizer.ggml.merges", {"a b"});
    w.setU32("tokenizer.ggml.bos_token_id", 0);
    w.setU32("tokenizer.ggml.eos_token_id", 0);
    w.setBool("tokenizer.ggml.add_bos_token", false);
    w.setString("tokenizer.chat_template", "{{ messages }}");
    return w;
}

TokenizerSpec load(const GgufWriter& w, const test::TempDir& dir) {
    w.write(dir / "tok.gguf");
    return tokenizerSpecFromGguf(GgufFile::open(dir / "tok.gguf"));
}

// The FormatError message for a broken file; it must name the file.
std::string loadError(const GgufWriter& w, const test::TempDir& dir) {
    try {
        load(w, dir);
    } catch (const FormatError& e) {
        const std::string msg = e.what();
        CHECK_THAT(msg, Contains((dir / "tok.gguf").string()));
        return msg;
    }
    FAIL("no FormatError thrown");
    return {};
}

}  // namespace

TEST_CASE("tokenizer spec from GGUF metadata", "[tokenizer][gguf]") {
    test::TempDir dir;
    const auto spec = load(tokenizerWriter(), dir);
    CHECK(spec.model == "gpt2");
    CHECK(spec.pre == "smollm");
    CHECK(spec.tokens.size() == 5);
    CHECK(spec.tokenTypes == std::vector<std::int32_t>{3, 1, 1, 1, 1});
    CHECK(spec.merges == std::vector<std::string>{"a b"});
    CHECK(spec.bosId == 0);
    CHECK(spec.eosId == 0);
    CHECK(spec.unkId == -1);
    CHECK(spec.padId == -1);
    CHECK_FALSE(spec.addBos);
    CHECK(spec.chatTemplate == "{{ messages }}");
    const Tokenizer t(spec);
    CHECK(t.encode("ab<|endoftext|>") == std::vector<TokenId>{3, 0});
}

TEST_CASE("loadTokenizer reads a vocabulary-only GGUF (no weights) and names the file on errors", "[tokenizer][gguf]") {
    test::TempDir dir;
    tokenizerWriter().write(dir / "tok.gguf");
    const auto t = avss::loadTokenizer(dir / "tok.gguf");
    CHECK(t.encode("ab<|endoftext|>") == std::vector<TokenId>{3, 0});
    auto wordPiece = tokenizerWriter();
    wordPiece.setString("tokenizer.ggml.model", "bert");
    wordPiece.write(dir / "wpm.gguf");
    CHECK_THROWS_WITH(avss::loadTokenizer(dir / "wpm.gguf"), Contains("wpm.gguf") && Contains("tokenizer: ") && Contains("'bert'"));
    CHECK_THROWS_WITH(avss::loadTokenizer(dir / "none.gguf"), Contains("none.gguf"));
}

TEST_CASE("tokenizer spec defaults for absent keys", "[tokenizer][gguf]") {
    test::TempDir dir;
    GgufWriter w;
    w.setString("tokenizer.ggml.model", "gpt2");
    w.setStringArray("tokenizer.ggml.tokens", {"a"});
    w.setStringArray("tokenizer.ggml.merges", {});
    auto spec = load(w, dir);
    CHECK(spec.pre == "default");
    CHECK_FALSE(spec.addBos);
    CHECK_FALSE(spec.addEos);
    CHECK(spec.tokenTypes.empty());
    CHECK(spec.addSpacePrefix);  // llama.cpp's default (SentencePiece models)
    w.setBool("tokenizer.ggml.add_space_prefix", false);
    CHECK_FALSE(load(w, dir).addSpacePrefix);
    w.setString("tokenizer.ggml.pre", "llama-bpe");
    CHECK(load(w, dir).addBos);  // llama.cpp's default for the Llama-3 group
}

TEST_CASE("broken tokenizer metadata names the file and the key", "[tokenizer][gguf][corrupt]") {
    test::TempDir dir;
    auto w = tokenizerWriter();
    SECTION("model missing") {
        GgufWriter bare;
        bare.setStringArray("tokenizer.ggml.tokens", {"a"});
        CHECK_THAT(loadError(bare, dir), Contains("'tokenizer.ggml.model' is missing"));
    }
    SECTION("tokens missing") {
        GgufWriter bare;
        bare.setString("tokenizer.ggml.model", "gpt2");
        CHECK_THAT(loadError(bare, dir), Contains("'tokenizer.ggml.tokens' is missing"));
    }
    SECTION("tokens empty") {
        w.setStringArray("tokenizer.ggml.tokens", {});
        w.setI32Array("tokenizer.ggml.token_type", {});
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.tokens") && Contains("empty"));
    }
    SECTION("tokens of the wrong type") {
        w.setString("tokenizer.ggml.tokens", "a b");
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.tokens") && Contains("expected an array"));
    }
    SECTION("model of the wrong type") {
        w.setU32("tokenizer.ggml.model", 2);
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.model") && Contains("expected a string"));
    }
    SECTION("token_type length differs from tokens") {
        w.setI32Array("tokenizer.ggml.token_type", {3, 1, 1});
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.token_type") && Contains("has 3 entries") &&
                                          Contains("5 tokens"));
    }
    SECTION("token_type of the wrong element type") {
        w.setStringArray("tokenizer.ggml.token_type", {"3", "1", "1", "1", "1"});
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.token_type"));
    }
    SECTION("scores length differs from tokens") {
        w.setF32Array("tokenizer.ggml.scores", {0.0f, 1.0f});
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.scores") && Contains("has 2 entries"));
    }
    SECTION("merges missing for a gpt2 vocabulary") {
        GgufWriter noMerges;
        noMerges.setString("tokenizer.ggml.model", "gpt2");
        noMerges.setStringArray("tokenizer.ggml.tokens", {"a"});
        CHECK_THAT(loadError(noMerges, dir), Contains("'tokenizer.ggml.merges' is missing"));
    }
    SECTION("merge referencing an unknown symbol") {
        w.setStringArray("tokenizer.ggml.merges", {"a b", "a z"});
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.merges") && Contains("merge 1 'a z'") &&
                                          Contains("'z' is not in the vocabulary"));
    }
    SECTION("merge whose result is not a token") {
        w.setStringArray("tokenizer.ggml.merges", {"b a"});
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.merges") && Contains("the result 'ba'"));
    }
    SECTION("merge without a single separating space") {
        w.setStringArray("tokenizer.ggml.merges", {"ab"});
        CHECK_THAT(loadError(w, dir), Contains("merge 0 'ab' is not two symbols"));
    }
    SECTION("bos id out of range") {
        w.setU32("tokenizer.ggml.bos_token_id", 5);
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.bos_token_id") && Contains("id 5 is outside"));
    }
    SECTION("padding id negative") {
        w.setI32("tokenizer.ggml.padding_token_id", -7);
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.padding_token_id") && Contains("-7"));
    }
    SECTION("add_bos_token of the wrong type") {
        w.setU32("tokenizer.ggml.add_bos_token", 1);
        CHECK_THAT(loadError(w, dir), Contains("tokenizer.ggml.add_bos_token") && Contains("expected a bool"));
    }
}
