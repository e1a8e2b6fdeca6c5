// qa-self pairs (part 1b): the model's own answers, labelled by the task's scoring, right paired
// with wrong in item order, each after its own question; hand-made records, no model.
#include <catch2/catch.hpp>

#include "avss/answer_pairs.h"
#include "avss/error.h"
#include "avss/self_answers.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

TaskData choiceTask(int items) {
    TaskData t;
    t.task = "sciq";
    t.kind = TaskKind::MultipleChoice;
    t.file = "t.json";
    for (int i = 0; i < items; ++i) {
        EvalItem item;
        item.source = "t.json: record " + std::to_string(i + 1);
        item.question = "q" + std::to_string(i);
        ChoiceSet set;
        set.context = "Q: q" + std::to_string(i) + "\nA:";
        set.choices = {"a" + std::to_string(i), "b" + std::to_string(i), "c" + std::to_string(i)};
        set.labels = {1, 0, 0};
        item.sets.push_back(set);
        t.items.push_back(item);
    }
    return t;
}

ItemRecord record(const TaskData& t, int i, std::vector<double> loglik, double acc) {
    ItemRecord r;
    r.source = t.items[static_cast<std::size_t>(i)].source;
    r.values = {acc, acc};
    r.loglik = {std::move(loglik)};
    return r;
}

}  // namespace

TEST_CASE("qa-self, choice tasks: the highest-likelihood choice, labelled by the task's accuracy", "[hallu][self]") {
    const auto task = choiceTask(5);
    EvalResult r;
    r.records = {record(task, 0, {-1, -2, -3}, 1),   // right: a0
                 record(task, 1, {-3, -1, -2}, 0),   // wrong: b1
                 record(task, 2, {-2, -2, -1}, 0),   // wrong: c2
                 record(task, 3, {-1, -1, -5}, 1),   // a tie goes to the first choice: a3, right
                 record(task, 4, {-4, -1, -9}, 0)};  // wrong: b4, left without a partner
    const auto set = pairSelfAnswers(task, r);
    CHECK(set.spec.format == PairFormat::SelfAnswers);
    CHECK(set.questions == 5);
    CHECK(set.unpaired == 1);
    REQUIRE(set.pairs.size() == 2);
    CHECK(set.pairs[0].context == "Q: q0\nA:");
    CHECK(set.pairs[0].truthful == "a0");
    CHECK(set.pairs[0].hallucinatedContext == "Q: q1\nA:");
    CHECK(set.pairs[0].hallucinated == "b1");
    CHECK(set.pairs[0].question == "q0");
    CHECK(set.pairs[0].source == "t.json: record 1 / t.json: record 2");
    CHECK(set.pairs[1].truthful == "a3");
    CHECK(set.pairs[1].hallucinated == "c2");
    REQUIRE(set.notes.size() == 1);
    CHECK_THAT(set.notes[0], Contains("2 of 5 answers right") && Contains("2 right/wrong pairs") && Contains("1 answers"));

    // The fingerprint is the answers': another choice, another fingerprint.
    auto other = r;
    other.records[2] = record(task, 2, {-2, -1, -3}, 0);  // b2 instead of c2
    CHECK(pairSelfAnswers(task, other).fingerprint != set.fingerprint);
    CHECK(pairSelfAnswers(task, r).fingerprint == set.fingerprint);
}

TEST_CASE("qa-self, generation tasks: the greedy answer by exact match; blank answers count for neither side", "[hallu][self]") {
    TaskData t;
    t.task = "nq_open";
    t.kind = TaskKind::Generation;
    t.file = "nq.jsonl";
    EvalResult r;
    const std::vector<std::pair<std::string, double>> answers = {{"Paris", 1}, {"  ", 0}, {"Lyon", 0}, {"eight", 1}};
    for (std::size_t i = 0; i < answers.size(); ++i) {
        EvalItem item;
        item.source = "nq.jsonl:" + std::to_string(i + 1);
        item.question = "q" + std::to_string(i);
        item.prompt = "Q: q" + std::to_string(i) + "\nA:";
        t.items.push_back(item);
        ItemRecord rec;
        rec.source = item.source;
        rec.values = {answers[i].second};
        rec.generation = answers[i].first;
        r.records.push_back(rec);
    }
    const auto set = pairSelfAnswers(t, r);
    CHECK(set.questions == 3);  // the blank answer is left out
    REQUIRE(set.pairs.size() == 1);
    CHECK(set.pairs[0].context == "Q: q0\nA:");
    CHECK(set.pairs[0].truthful == "Paris");
    CHECK(set.pairs[0].hallucinatedContext == "Q: q2\nA:");
    CHECK(set.pairs[0].hallucinated == "Lyon");
    CHECK(set.unpaired == 1);
}

TEST_CASE("qa-self refuses one-sided answers, other task kinds, mismatched records, files and training", "[hallu][self][bad-input]") {
    const auto task = choiceTask(2);
    EvalResult allRight;
    allRight.records = {record(task, 0, {-1, -2, -3}, 1), record(task, 1, {-1, -2, -3}, 1)};
    CHECK_THROWS_AS(pairSelfAnswers(task, allRight), FormatError);
    CHECK_THROWS_WITH(pairSelfAnswers(task, allRight), Contains("t.json") && Contains("answered 2 of 2 questions right"));
    EvalResult short1;
    short1.records = {record(task, 0, {-1, -2, -3}, 1)};
    CHECK_THROWS_WITH(pairSelfAnswers(task, short1), Contains("1 item records for 2 items"));
    auto ranking = task;
    ranking.kind = TaskKind::Ranking;
    ranking.task = "wikiqa";
    CHECK_THROWS_WITH(pairSelfAnswers(ranking, allRight), Contains("generation or multiple-choice"));
    CHECK(parsePairFormat("qa-self") == PairFormat::SelfAnswers);
    CHECK(std::string(pairFormatName(PairFormat::SelfAnswers)) == "qa-self");
    CHECK_THROWS_WITH(loadPairs(PairSpec{"x.jsonl", PairFormat::SelfAnswers}), Contains("--task"));
}
