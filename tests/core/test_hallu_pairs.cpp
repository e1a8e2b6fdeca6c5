// Answer-pair files: the three formats, their templates, pairing by position, and every bad row a
// clear FormatError naming the file and line.
#include <catch2/catch.hpp>

#include "avss/answer_pairs.h"
#include "avss/error.h"
#include "support/temp_dir.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

PairSet load(const test::TempDir& dir, const std::string& name, const std::string& text, PairFormat format, bool knowledge = false,
             std::int64_t limit = 0) {
    test::writeText(dir / name, text);
    return loadPairs(PairSpec{dir / name, format, limit, knowledge});
}

std::string loadError(const test::TempDir& dir, const std::string& name, const std::string& text, PairFormat format) {
    try {
        load(dir, name, text, format);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "no FormatError";
}

const char* kHaluEval =
    R"({"knowledge": "Paris is the capital of France.", "question": "What is the capital of France?", "right_answer": "Paris", "hallucinated_answer": "The capital of France is Lyon."})"
    "\n"
    R"({"knowledge": "Water boils at 100 C.", "question": "When does water boil?", "right_answer": "At 100 C", "hallucinated_answer": "Water boils at 50 C at sea level."})"
    "\n";

}  // namespace

TEST_CASE("HaluEval rows give one pair each, with the Q/A template and optional knowledge", "[hallu]") {
    test::TempDir dir;
    const auto set = load(dir, "qa.json", kHaluEval, PairFormat::HaluEval);
    REQUIRE(set.pairs.size() == 2);
    CHECK(set.questions == 2);
    CHECK(set.pairs[0].context == "Q: What is the capital of France?\nA:");
    CHECK(set.pairs[0].truthful == "Paris");
    CHECK(set.pairs[0].hallucinated == "The capital of France is Lyon.");
    CHECK_THAT(set.pairs[1].source, Contains("qa.json:2"));
    const auto k = load(dir, "qa.json", kHaluEval, PairFormat::HaluEval, true);
    CHECK(k.pairs[0].context == "Knowledge: Paris is the capital of France.\nQ: What is the capital of France?\nA:");
    CHECK(k.pairs[0].question == "What is the capital of France?");  // the bare question, for leaving it out of evaluations
    CHECK(k.fingerprint != set.fingerprint);  // knowledge changes what the model reads
    CHECK(load(dir, "qa.json", kHaluEval, PairFormat::HaluEval, false, 1).pairs.size() == 1);
}

TEST_CASE("TruthfulQA CSV answers pair by position; the leftovers are counted", "[hallu]") {
    test::TempDir dir;
    const std::string csv =
        "Type,Category,Question,Best Answer,Correct Answers,Incorrect Answers,Source\n"
        "Adversarial,Misc,What happens if you crack your knuckles?,Nothing in particular,"
        "\"Nothing in particular; Your knuckles may hurt\",\"You get arthritis; You get gout; You break them\",src\n"
        "Adversarial,Misc,Is the Earth flat?,No,No; It is round,Yes,src\n";
    const auto set = load(dir, "TruthfulQA.csv", csv, PairFormat::TruthfulQa);
    REQUIRE(set.pairs.size() == 3);  // 2 + 1
    CHECK(set.questions == 2);
    CHECK(set.unpaired == 2);        // "You break them" and "It is round"
    CHECK(set.pairs[1].truthful == "Your knuckles may hurt");
    CHECK(set.pairs[1].hallucinated == "You get gout");
    CHECK(set.pairs[2].context == "Q: Is the Earth flat?\nA:");
    CHECK(set.pairs[2].question == "Is the Earth flat?");
    REQUIRE(set.notes.size() == 1);
    CHECK_THAT(set.notes[0], Contains("2 answers had no partner"));
}

TEST_CASE("Even and odd halves are disjoint folds of the questions", "[hallu]") {
    test::TempDir dir;
    std::string text;
    for (int i = 0; i < 5; ++i) text += "{\"question\": \"q" + std::to_string(i) + "\", \"truthful\": \"t\", \"hallucinated\": \"h\"}\n";
    test::writeText(dir / "p.jsonl", text);
    PairSpec spec{dir / "p.jsonl", PairFormat::Pairs};
    spec.half = PairHalf::Even;
    const auto even = loadPairs(spec);
    spec.half = PairHalf::Odd;
    const auto odd = loadPairs(spec);
    spec.limit = 1;
    const auto oddFirst = loadPairs(spec);
    REQUIRE(even.pairs.size() == 3);
    REQUIRE(odd.pairs.size() == 2);
    CHECK(even.pairs[1].context == "Q: q2\nA:");
    CHECK(odd.pairs[0].context == "Q: q1\nA:");
    CHECK(odd.pairs[1].context == "Q: q3\nA:");
    CHECK(oddFirst.pairs.size() == 1);
    CHECK(even.fingerprint != odd.fingerprint);
    CHECK_THROWS_AS(parsePairHalf("first"), UsageError);
}

TEST_CASE("The generic pairs format takes strings or equally long lists", "[hallu]") {
    test::TempDir dir;
    const auto set = load(dir, "p.jsonl",
                          R"({"question": "2+2?", "truthful": ["4", "four"], "hallucinated": ["5", "22"]})"
                          "\n"
                          R"({"question": "Sky colour?", "truthful": "blue", "hallucinated": "green"})"
                          "\n",
                          PairFormat::Pairs);
    REQUIRE(set.pairs.size() == 3);
    CHECK(set.pairs[1].truthful == "four");
    CHECK(set.pairs[1].hallucinated == "22");
}

TEST_CASE("Bad pairs files name the file and the line", "[hallu][bad-input]") {
    test::TempDir dir;
    CHECK_THAT(loadError(dir, "a.jsonl", std::string(kHaluEval) + R"({"question": "q", "right_answer": "a"})" "\n", PairFormat::HaluEval),
               Contains("a.jsonl") && Contains("line 3") && Contains("hallucinated_answer") && Contains("missing"));
    CHECK_THAT(loadError(dir, "b.jsonl", R"({"question": "q", "right_answer": " ", "hallucinated_answer": "x"})" "\n", PairFormat::HaluEval),
               Contains("b.jsonl") && Contains("line 1") && Contains("'right_answer' is empty"));
    CHECK_THAT(loadError(dir, "c.jsonl",
                         R"({"question": "q", "truthful": "a", "hallucinated": "b"})" "\n"
                         R"({"question": "q", "truthful": ["a", "b"], "hallucinated": ["c"]})" "\n",
                         PairFormat::Pairs),
               Contains("c.jsonl") && Contains("line 2") && Contains("2 answers") && Contains("equal length"));
    CHECK_THAT(loadError(dir, "d.jsonl", "{\"question\": \"q\", \"truthful\": [], \"hallucinated\": []}\n", PairFormat::Pairs),
               Contains("line 1") && Contains("empty list"));
    CHECK_THAT(loadError(dir, "e.jsonl", "{\"question\": \"q\",\n", PairFormat::HaluEval), Contains("e.jsonl") && Contains("line 1"));
    CHECK_THAT(loadError(dir, "f.json", "[{\"question\": \"q\"}]", PairFormat::HaluEval), Contains("f.json") && Contains("array"));
    CHECK_THAT(loadError(dir, "g.csv", "Question,Best Answer\nq,a\n", PairFormat::TruthfulQa),
               Contains("g.csv") && Contains("Correct Answers"));
    CHECK_THAT(loadError(dir, "h.csv", "Question,Correct Answers,Incorrect Answers\nq,a,\n", PairFormat::TruthfulQa),
               Contains("h.csv") && Contains("line 2") && Contains("'Incorrect Answers' is an empty list"));
    CHECK_THROWS_AS(loadPairs(PairSpec{dir / "missing.jsonl", PairFormat::HaluEval}), IoError);
    CHECK_THROWS_AS(loadPairs(PairSpec{dir / "a.jsonl", PairFormat::Pairs, 0, true}), UsageError);  // knowledge: HaluEval only
    CHECK_THROWS_AS(parsePairFormat("csv"), UsageError);
}
