// Real sample model: the tokenizer read from SmolLM2's GGUF against the Hugging Face golden file
// tests/data/tokenizer_smollm2.json (written by tools/make_tokenizer_fixture.py). Authoritative ids
// are the "hub" pipeline's (SmolLM2's tokenizer.json: Digits + ByteLevel); every string must match.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "avss/tokenizer.h"
#include "io/gguf_file.h"
#include "support/real_model.h"
#include "tokenizer/gguf_tokenizer.h"
#include "util/sha256.h"

using avss::TokenId;
using Ids = std::vector<TokenId>;
using nlohmann::json;

namespace {

const json& fixture() {
    static const json data = [] {
        const std::string path = AVSS_TEST_DATA_DIR "/tokenizer_smollm2.json";
        std::ifstream in(path);
        if (!in) FAIL("cannot open " << path);
        return json::parse(in);
    }();
    return data;
}

const avss::Tokenizer& tokenizer() {
    static const avss::Tokenizer t(avss::tokenizerSpecFromGguf(avss::io::GgufFile::open(avss::test::requireRealModel())));
    return t;
}

std::string show(const Ids& ids) {
    std::ostringstream out;
    for (const auto id : ids) out << id << ' ';
    return out.str();
}

}  // namespace

TEST_CASE("the fixture belongs to the sample model and is not empty", "[tokenizer][model]") {
    const auto& f = fixture();
    REQUIRE(f.at("authoritative") == "hub");
    REQUIRE(f.at("cases").size() >= 200);
    REQUIRE(f.at("decode_cases").size() >= 10);
    REQUIRE(f.at("provenance").at("model_sha256") == avss::util::sha256File(avss::test::requireRealModel()));
}

TEST_CASE("the spec read from the sample model", "[tokenizer][model]") {
    const auto& spec = tokenizer().spec();
    CHECK(spec.model == "gpt2");
    CHECK(spec.pre == "smollm");
    CHECK(spec.tokens.size() == 49152);
    CHECK(spec.merges.size() == 48900);
    CHECK(spec.bosId == 1);
    CHECK(spec.eosId == 2);
    CHECK(spec.unkId == 0);
    CHECK(spec.padId == 2);
    CHECK_FALSE(spec.addBos);
    CHECK(tokenizer().tokenText(1) == "<|im_start|>");
    int specials = 0;
    for (TokenId id = 0; id < tokenizer().vocabSize(); ++id) specials += tokenizer().isSpecial(id) ? 1 : 0;
    CHECK(specials == 17);
}

TEST_CASE("ids equal the Hugging Face hub pipeline on every fixture string", "[tokenizer][model]") {
    std::size_t checked = 0, mismatched = 0;
    for (const auto& c : fixture().at("cases")) {
        const auto text = c.at("text").get<std::string>();
        const auto expected = c.at("ids").get<Ids>();
        const auto actual = tokenizer().encode(text);
        ++checked;
        if (actual != expected) {
            ++mismatched;
            UNSCOPED_INFO("text " << json(text).dump() << "\n  expected " << show(expected) << "\n  actual   " << show(actual));
        }
    }
    CHECK(checked == fixture().at("cases").size());
    REQUIRE(mismatched == 0);
}

TEST_CASE("decode gives Hugging Face's text and round-trips", "[tokenizer][model]") {
    std::size_t roundTrips = 0;
    for (const auto& c : fixture().at("cases")) {
        const auto text = c.at("text").get<std::string>();
        const auto hfDecoded = c.at("decoded").get<std::string>();
        INFO("text " << json(text).dump());
        CHECK(tokenizer().decode(c.at("ids").get<Ids>()) == hfDecoded);
        // Strings with bytes the vocabulary lacks (e.g. U+0004) cannot round-trip, in HF either.
        if (hfDecoded == text) {
            CHECK(tokenizer().decode(tokenizer().encode(text)) == text);
            ++roundTrips;
        }
    }
    CHECK(roundTrips + 2 >= fixture().at("cases").size());  // only the two missing-byte strings differ
}

TEST_CASE("decode of invalid byte sequences and skipped control tokens matches Hugging Face", "[tokenizer][model]") {
    for (const auto& c : fixture().at("decode_cases")) {
        const auto ids = c.at("ids").get<Ids>();
        const bool skip = c.at("skip_special").get<bool>();
        INFO("ids " << show(ids) << " skip_special " << skip);
        CHECK(tokenizer().decode(ids, skip) == c.at("text").get<std::string>());
    }
}

TEST_CASE("the recorded transformers-from-GGUF disagreements are all digit splits", "[tokenizer][model]") {
    // transformers' GGUF loader has no Digits pre-tokenizer; we follow the hub pipeline instead.
    for (const auto& d : fixture().at("disagreements")) {
        const auto text = d.at("text").get<std::string>();
        INFO("text " << json(text).dump());
        CHECK(tokenizer().encode(text) == d.at("hub").get<Ids>());
        CHECK(tokenizer().encode(text) != d.at("transformers_gguf").get<Ids>());
    }
}

TEST_CASE("parseSpecial = false encodes special-token text as ordinary text", "[tokenizer][model]") {
    const std::string text = "<|im_start|>user\nHi<|im_end|>";
    REQUIRE(tokenizer().encode(text, true, true) == Ids{1, 4093, 198, 26843, 2});
    const auto plain = tokenizer().encode(text, true, false);
    CHECK(plain.size() > 5);
    for (const auto id : plain) CHECK_FALSE(tokenizer().isSpecial(id));
    CHECK(tokenizer().decode(plain) == text);
}

TEST_CASE("encode from several threads at once gives the same ids", "[tokenizer][model]") {
    std::vector<std::string> texts;
    std::vector<Ids> expected;
    for (const auto& c : fixture().at("cases")) {
        texts.push_back(c.at("text").get<std::string>());
        expected.push_back(c.at("ids").get<Ids>());
    }
    std::vector<int> failures(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < failures.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 3; ++round) {
                for (std::size_t i = 0; i < texts.size(); ++i) failures[t] += tokenizer().encode(texts[i]) != expected[i];
            }
        });
    }
    for (auto& th : threads) th.join();
    for (const int f : failures) CHECK(f == 0);
}
