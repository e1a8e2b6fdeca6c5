// Text inputs: the built-in text, plain text and JSONL files, and the errors for bad ones.
#include <catch2/catch.hpp>

#include "avss/corpus.h"
#include "avss/error.h"
#include "support/temp_dir.h"

using namespace avss;
using Catch::Matchers::Contains;

TEST_CASE("the built-in sample text is our own prose of a few thousand words", "[corpus]") {
    const auto c = loadCorpus("builtin");
    REQUIRE(c.documents.size() == 1);
    CHECK(c.format == "builtin");
    CHECK(c.documents[0].size() > 15000);
    CHECK_THAT(c.documents[0], Contains("The Lighthouse at Carrow Point"));
    CHECK(c.fingerprint == loadCorpus("builtin").fingerprint);
}

TEST_CASE("plain text and JSONL files", "[corpus]") {
    test::TempDir dir;
    test::writeText(dir / "a.txt", "one line\nsecond line\n");
    const auto text = loadCorpus((dir / "a.txt").string());
    CHECK(text.format == "text");
    CHECK(text.documents == std::vector<std::string>{"one line\nsecond line\n"});

    test::writeText(dir / "b.jsonl", "{\"text\": \"first\", \"id\": 1}\n\n{\"text\": \"second\"}\n");
    const auto jsonl = loadCorpus((dir / "b.jsonl").string());
    CHECK(jsonl.format == "jsonl");
    CHECK(jsonl.documents == std::vector<std::string>{"first", "second"});
    CHECK(jsonl.joined() == "first\n\nsecond");

    test::writeText(dir / "c.data", "{\"body\": \"x\"}\n");  // recognised by its first character
    CHECK(loadCorpus((dir / "c.data").string(), CorpusOptions{"body"}).documents == std::vector<std::string>{"x"});
    CHECK(text.fingerprint != jsonl.fingerprint);
}

TEST_CASE("bad text inputs give one error naming the file", "[corpus][corrupt]") {
    test::TempDir dir;
    const auto p = [&](const char* name) { return (dir / name).string(); };
    CHECK_THROWS_AS(loadCorpus(p("absent.txt")), IoError);
    CHECK_THROWS_WITH(loadCorpus(dir.path().string()), Contains("not a regular file"));
    test::writeText(dir / "empty.txt", "  \n\t\n");
    CHECK_THROWS_WITH(loadCorpus(p("empty.txt")), Contains("empty.txt") && Contains("contains no text"));
    test::writeBytes(dir / "bin.txt", {'a', 0, 'b'});
    CHECK_THROWS_WITH(loadCorpus(p("bin.txt")), Contains("bin.txt") && Contains("NUL byte at offset 1"));
    test::writeBytes(dir / "latin1.txt", {'c', 'a', 'f', 0xE9, '!'});
    CHECK_THROWS_WITH(loadCorpus(p("latin1.txt")), Contains("latin1.txt") && Contains("not valid UTF-8") && Contains("offset 3"));
    test::writeText(dir / "bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": 5}\n");
    CHECK_THROWS_WITH(loadCorpus(p("bad.jsonl")), Contains("bad.jsonl:2") && Contains("not a string"));
    test::writeText(dir / "broken.jsonl", "{\"text\": \"ok\"\n");
    CHECK_THROWS_WITH(loadCorpus(p("broken.jsonl")), Contains("broken.jsonl:1") && Contains("malformed JSON"));
}
