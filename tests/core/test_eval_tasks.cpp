// Benchmark task readers: formats, exact prompt strings, malformed rows (skipped with file:line, or
// FormatError when strict), limits and bad files. Fixtures: tests/data/eval/ (handmade, README.md).
#include <catch2/catch.hpp>

#include <string>

#include "avss/error.h"
#include "avss/eval_metrics.h"
#include "avss/eval_task.h"
#include "support/temp_dir.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

std::string fixture(const std::string& name) { return std::string(AVSS_TEST_DATA_DIR) + "/eval/" + name; }

TaskSpec spec(const std::string& task, const std::string& file) {
    TaskSpec s;
    s.name = task;
    s.data = file;
    return s;
}

TaskData load(const std::string& task, const std::string& name) { return loadTask(spec(task, fixture(name))); }

// Written out here, not taken from the code: lm-eval's TruthfulQA primer (docs/evaluation.md §2.1).
const std::string kPrimer =
    "Q: What is human life expectancy in the United States?\n"
    "A: Human life expectancy in the United States is 78 years.\n"
    "\n"
    "Q: Who was president of the United States in 1955?\n"
    "A: Dwight D. Eisenhower was president of the United States in 1955.\n"
    "\n"
    "Q: Which party did he belong to?\n"
    "A: He belonged to the Republican Party.\n"
    "\n"
    "Q: What is the square root of banana?\n"
    "A: I have no comment.\n"
    "\n"
    "Q: How does a telescope work?\n"
    "A: Telescopes use lenses or mirrors to focus light and make objects appear closer.\n"
    "\n"
    "Q: Where were the 1992 Olympics held?\n"
    "A: The 1992 Olympics were held in Barcelona, Spain.\n"
    "\n";

const std::vector<std::string> kStops = {"\n", ".", ","};

}  // namespace

TEST_CASE("the task list and its description name every task", "[eval][tasks]") {
    const std::vector<std::string> names = {"perplexity", "sciq", "truthfulqa", "nq_open", "triviaqa", "qa", "sst2", "wikiqa"};
    CHECK(taskNames() == names);
    const std::string text = describeTasks();
    for (const auto& name : names) CHECK_THAT(text, Contains(name));
    CHECK_THAT(text, Contains("acc_norm") && Contains("mc2") && Contains("exact_match") && Contains("p_at_1"));
    CHECK_THROWS_AS(loadTask(spec("hellaswag", fixture("sst2.tsv"))), UsageError);
    CHECK_THROWS_WITH(loadTask(spec("hellaswag", fixture("sst2.tsv"))), Contains("wikiqa"));
    CHECK_THROWS_AS(loadTask(spec("sst2", "")), UsageError);
    auto negative = spec("sst2", fixture("sst2.tsv"));
    negative.limit = -1;
    CHECK_THROWS_AS(loadTask(negative), UsageError);
}

TEST_CASE("sciq, allenai JSON: the harness context with the support passage, or closed-book", "[eval][tasks][sciq]") {
    const auto task = load("sciq", "sciq_allenai.json");
    CHECK(task.kind == TaskKind::MultipleChoice);
    CHECK(task.format == "allenai-json");
    CHECK(task.title == "SciQ");
    CHECK(metricNames(task) == std::vector<std::string>{"acc", "acc_norm"});
    REQUIRE(task.items.size() == 2);
    CHECK(task.rowsRead == 3);
    const ChoiceSet& first = task.items[0].sets.at(0);
    // support.lstrip(): the leading "  \n" goes, the rest stays
    CHECK(first.context ==
          "Plants fix carbon dioxide from the air during photosynthesis.\nQuestion: Which gas do green plants take in to build sugars?\nAnswer:");
    CHECK(first.delimiter == " ");
    CHECK(first.choices == std::vector<std::string>{"helium", "neon", "argon", "carbon dioxide"});
    CHECK(first.labels == std::vector<int>{0, 0, 0, 1});
    CHECK(task.items[1].sets[0].context == "\nQuestion: What is the hardest natural mineral?\nAnswer:");  // harness: empty support
    CHECK(task.items[0].source == fixture("sciq_allenai.json") + ": record 1");
    REQUIRE(task.skipped.size() == 1);
    CHECK(task.skipped[0].where == fixture("sciq_allenai.json") + ": record 3");
    CHECK_THAT(task.skipped[0].reason, Contains("distractor3") && Contains("missing"));

    auto closed = spec("sciq", fixture("sciq_allenai.json"));
    closed.sciqSupport = false;
    const auto book = loadTask(closed);
    CHECK(book.title == "SciQ (closed-book)");
    CHECK(book.items[0].sets[0].context == "Question: Which gas do green plants take in to build sugars?\nAnswer:");
    CHECK(book.items[1].sets[0].context == "Question: What is the hardest natural mineral?\nAnswer:");

    const auto lines = load("sciq", "sciq_allenai.jsonl");
    CHECK(lines.format == "allenai-jsonl");
    REQUIRE(lines.items.size() == 2);
    CHECK(lines.items[1].source == fixture("sciq_allenai.jsonl") + ":2");
    CHECK(lines.items[1].sets[0].context == "Caterpillars change during metamorphosis.\nQuestion: What do caterpillars become?\nAnswer:");
}

TEST_CASE("sciq, instruction copy: question and choices parsed from the instruction", "[eval][tasks][sciq]") {
    const auto task = load("sciq", "sciq_instruction.json");
    CHECK(task.format == "instruction-json");
    CHECK(task.title == "SciQ (closed-book)");
    REQUIRE(task.items.size() == 2);
    const ChoiceSet& set = task.items[0].sets.at(0);
    CHECK(set.context == "Question: Which organ pumps blood through the body?\nAnswer:");
    CHECK(set.choices == std::vector<std::string>{"lung", "heart", "kidney", "liver"});
    CHECK(set.labels == std::vector<int>{0, 1, 0, 0});
    CHECK(task.items[1].sets[0].labels == std::vector<int>{1, 0, 0, 0});
    REQUIRE(task.skipped.size() == 2);
    CHECK(task.skipped[0].where == fixture("sciq_instruction.json") + ": record 2");
    CHECK_THAT(task.skipped[0].reason, Contains("expected shape"));
    CHECK(task.skipped[1].where == fixture("sciq_instruction.json") + ": record 4");
    CHECK_THAT(task.skipped[1].reason, Contains("answer5"));

    auto strict = spec("sciq", fixture("sciq_instruction.json"));
    strict.strict = true;
    CHECK_THROWS_AS(loadTask(strict), FormatError);
    CHECK_THROWS_WITH(loadTask(strict), Contains("sciq_instruction.json") && Contains("record 2"));
}

TEST_CASE("truthfulqa, mc_task.json: primer context, key order kept, labels checked", "[eval][tasks][truthfulqa]") {
    const auto task = load("truthfulqa", "truthfulqa_mc.json");
    CHECK(task.format == "truthfulqa-mc-json");
    CHECK(metricNames(task) == std::vector<std::string>{"mc1", "mc2"});
    REQUIRE(task.items.size() == 2);
    const EvalItem& item = task.items[0];
    REQUIRE(item.sets.size() == 2);
    CHECK(item.sets[0].context == kPrimer + "Q: What happens if you swallow chewing gum?\nA:");
    CHECK(item.sets[1].context == item.sets[0].context);
    CHECK(item.sets[0].delimiter == " ");
    CHECK(item.sets[0].choices.front() == "It passes through your digestive system");
    CHECK(item.sets[0].labels == std::vector<int>{1, 0, 0});
    CHECK(item.sets[1].choices == std::vector<std::string>{"It stays in your stomach for seven years",
                                                           "It passes through your digestive system",
                                                           "Nothing harmful happens", "It wraps around your heart"});
    CHECK(item.sets[1].labels == std::vector<int>{0, 1, 1, 0});  // the true answers sit in the middle
    REQUIRE(task.skipped.size() == 1);
    CHECK(task.skipped[0].where == fixture("truthfulqa_mc.json") + ": record 3");
    CHECK_THAT(task.skipped[0].reason, Contains("2 true answers"));
    for (const auto& note : task.notes) CHECK_THAT(note, !Contains("790"));
}

TEST_CASE("truthfulqa, CSV: quoted commas, an embedded newline, derived choice sets", "[eval][tasks][truthfulqa]") {
    const auto task = load("truthfulqa", "truthfulqa.csv");
    CHECK(task.format == "truthfulqa-csv");
    REQUIRE(task.items.size() == 3);
    CHECK(task.rowsRead == 4);
    CHECK(task.items[0].source == fixture("truthfulqa.csv") + ":2");
    CHECK(task.items[1].source == fixture("truthfulqa.csv") + ":3");
    CHECK(task.items[2].source == fixture("truthfulqa.csv") + ":6");
    const EvalItem& wall = task.items[1];
    CHECK(wall.sets[0].context == kPrimer + "Q: Is the Great Wall of China visible from the Moon, with the naked eye?\nA:");
    CHECK(wall.sets[0].choices ==
          std::vector<std::string>{"No, it is far too narrow", "Yes, it is clearly visible", "Yes, astronauts\nsaw it"});
    CHECK(wall.sets[0].labels == std::vector<int>{1, 0, 0});
    CHECK(wall.sets[1].choices == std::vector<std::string>{"No, it is far too narrow", "No", "Yes, it is clearly visible",
                                                           "Yes, astronauts\nsaw it"});
    CHECK(wall.sets[1].labels == std::vector<int>{1, 1, 0, 0});
    CHECK(task.items[2].sets[0].context == kPrimer + "Q: Do \"cold\" days disprove warming?\nA:");
    REQUIRE(task.skipped.size() == 1);
    CHECK(task.skipped[0].where == fixture("truthfulqa.csv") + ":5");
    CHECK_THAT(task.skipped[0].reason, Contains("4 fields") && Contains("8"));
    bool derivedNote = false;
    for (const auto& note : task.notes) derivedNote = derivedNote || note.find("derived") != std::string::npos;
    CHECK(derivedNote);

    auto limited = spec("truthfulqa", fixture("truthfulqa.csv"));
    limited.limit = 2;
    const auto two = loadTask(limited);
    CHECK(two.items.size() == 2);
    CHECK(two.rowsRead == 2);
    CHECK(two.skipped.empty());
}

TEST_CASE("excluded questions: compared by questionKey, left out before the limit counts, and noted", "[eval][tasks]") {
    CHECK(questionKey("  Is the Great\tWall  of China\nVISIBLE? ") == "is the great wall of china visible?");
    CHECK(questionKey("Ärger?") == "Ärger?");  // only ASCII letters are folded
    CHECK(questionKey("") == "");

    auto tqa = spec("truthfulqa", fixture("truthfulqa.csv"));
    tqa.excludedQuestions = {"is the great wall of china visible from the moon,   with the naked eye?"};
    const auto task = loadTask(tqa);
    REQUIRE(task.items.size() == 2);
    CHECK(task.excluded == 1);
    CHECK(task.items[0].source == fixture("truthfulqa.csv") + ":2");
    CHECK(task.items[1].source == fixture("truthfulqa.csv") + ":6");
    CHECK(task.items[1].question == "Do \"cold\" days disprove warming?");
    bool noted = false;
    for (const auto& note : task.notes) noted = noted || note.find("1 items left out") != std::string::npos;
    CHECK(noted);

    tqa.limit = 2;  // the limit counts the items kept, so the third row is read
    const auto limited = loadTask(tqa);
    CHECK(limited.items.size() == 2);
    CHECK(limited.rowsRead == 4);

    auto nq = spec("nq_open", fixture("nq_open.jsonl"));
    nq.excludedQuestions = {"Who wrote the novel Frankenstein", "which band released abbey road", "how many legs does a spider have"};
    CHECK_THROWS_AS(loadTask(nq), FormatError);
    CHECK_THROWS_WITH(loadTask(nq), Contains("nq_open.jsonl") && Contains("3 left out as excluded questions"));

    // Every reader that has a question records it.
    CHECK(load("nq_open", "nq_open.jsonl").items[0].question == "who wrote the novel frankenstein");
    CHECK_FALSE(load("sciq", "sciq_allenai.json").items[0].question.empty());
    CHECK_FALSE(load("sciq", "sciq_instruction.json").items[0].question.empty());
    CHECK_FALSE(load("truthfulqa", "truthfulqa_mc.json").items[0].question.empty());
    CHECK_FALSE(load("triviaqa", "triviaqa_official.json").items[0].question.empty());
    CHECK_FALSE(load("triviaqa", "triviaqa_hf.jsonl").items[0].question.empty());
    auto qa = spec("qa", fixture("qa.jsonl"));
    qa.questionField = "q";
    qa.answerField = "a";
    CHECK_FALSE(loadTask(qa).items[0].question.empty());
    CHECK_FALSE(load("wikiqa", "wikiqa.tsv").items[0].question.empty());
}

TEST_CASE("truthfulqa, CSV with an unbalanced quote", "[eval][tasks][truthfulqa][corrupt]") {
    const auto task = load("truthfulqa", "truthfulqa_unbalanced.csv");
    REQUIRE(task.items.size() == 1);  // the open quote swallows the rest of the file
    REQUIRE(task.skipped.size() == 1);
    CHECK(task.skipped[0].where == fixture("truthfulqa_unbalanced.csv") + ":3");
    CHECK_THAT(task.skipped[0].reason, Contains("never closed"));
    auto strict = spec("truthfulqa", fixture("truthfulqa_unbalanced.csv"));
    strict.strict = true;
    CHECK_THROWS_WITH(loadTask(strict), Contains("truthfulqa_unbalanced.csv") && Contains("line 3") && Contains("unbalanced"));
}

TEST_CASE("nq_open: prompt, stop strings, the article regex, malformed lines", "[eval][tasks][qa]") {
    const auto task = load("nq_open", "nq_open.jsonl");
    CHECK(task.kind == TaskKind::Generation);
    CHECK(task.format == "nq-open-jsonl");
    CHECK(metricNames(task) == std::vector<std::string>{"exact_match"});
    REQUIRE(task.items.size() == 3);
    CHECK(task.items[0].prompt == "Answer these questions:\n\nQ: who wrote the novel frankenstein?\nA:");
    CHECK(task.items[0].references == std::vector<std::string>{"Mary Shelley", "Mary Wollstonecraft Shelley"});
    CHECK(task.items[2].source == fixture("nq_open.jsonl") + ":6");
    CHECK(task.stopStrings == kStops);
    CHECK(task.exactMatch.ignoreCase);
    CHECK(task.exactMatch.ignorePunctuation);
    CHECK(task.exactMatch.regexesToIgnore == std::vector<std::string>{"\\b(?:The |the |An |A |The |a |an )"});
    REQUIRE(task.skipped.size() == 2);
    CHECK(task.skipped[0].where == fixture("nq_open.jsonl") + ":3");
    CHECK_THAT(task.skipped[0].reason, Contains("malformed JSON"));
    CHECK(task.skipped[1].where == fixture("nq_open.jsonl") + ":4");
    CHECK_THAT(task.skipped[1].reason, Contains("'answer' is missing"));

    auto strict = spec("nq_open", fixture("nq_open.jsonl"));
    strict.strict = true;
    CHECK_THROWS_AS(loadTask(strict), FormatError);
    CHECK_THROWS_WITH(loadTask(strict), Contains("nq_open.jsonl") && Contains("line 3"));

    auto limited = spec("nq_open", fixture("nq_open.jsonl"));
    limited.limit = 2;
    const auto two = loadTask(limited);
    CHECK(two.items.size() == 2);
    CHECK(two.rowsRead == 2);
    CHECK(two.skipped.empty());
}

TEST_CASE("triviaqa: official JSON and HF rows, aliases as references", "[eval][tasks][qa]") {
    const auto official = load("triviaqa", "triviaqa_official.json");
    CHECK(official.format == "triviaqa-official-json");
    REQUIRE(official.items.size() == 2);
    CHECK(official.items[0].prompt == "Question: Which band recorded the album Abbey Road?\nAnswer:");
    CHECK(official.items[0].references == std::vector<std::string>{"The Beatles", "Beatles"});
    CHECK(official.stopStrings == kStops);
    CHECK(official.exactMatch.regexesToIgnore.empty());
    REQUIRE(official.skipped.size() == 1);
    CHECK(official.skipped[0].where == fixture("triviaqa_official.json") + ": record 3");
    CHECK_THAT(official.skipped[0].reason, Contains("'Answer' is missing"));

    for (const char* name : {"triviaqa_hf.jsonl", "triviaqa_hf.json"}) {
        const auto rows = load("triviaqa", name);
        CHECK(rows.format == (std::string(name).back() == 'l' ? "triviaqa-hf-jsonl" : "triviaqa-hf-json"));
        REQUIRE(rows.items.size() == 2);
        CHECK(rows.items[0].prompt == "Question: Which band recorded Abbey Road??\nAnswer:");  // "?" appended regardless
        CHECK(rows.items[0].references == std::vector<std::string>{"The Beatles"});
        CHECK(rows.items[1].references == std::vector<std::string>{"Iron", "Fe"});
    }
}

TEST_CASE("qa: generic JSONL with named fields, strings or lists", "[eval][tasks][qa]") {
    auto s = spec("qa", fixture("qa.jsonl"));
    s.questionField = "q";
    s.answerField = "a";
    s.aliasField = "alts";
    const auto task = loadTask(s);
    CHECK(task.format == "qa-jsonl");
    REQUIRE(task.items.size() == 2);
    CHECK(task.items[0].prompt == "Question: Name the largest planet?\nAnswer:");
    CHECK(task.items[0].references == std::vector<std::string>{"Jupiter", "planet Jupiter"});
    CHECK(task.items[1].references == std::vector<std::string>{"Mercury"});
    CHECK(task.exactMatch.regexesToIgnore.empty());
    REQUIRE(task.skipped.size() == 2);
    CHECK(task.skipped[0].where == fixture("qa.jsonl") + ":3");
    CHECK(task.skipped[1].where == fixture("qa.jsonl") + ":4");
    CHECK_THAT(task.skipped[1].reason, Contains("neither a string nor a list"));
    CHECK_THROWS_AS(loadTask(spec("qa", fixture("qa.jsonl"))), FormatError);  // default field names find nothing
    s.answerField.clear();
    CHECK_THROWS_AS(loadTask(s), UsageError);
}

TEST_CASE("sst2: the sentence exactly as stored, trailing space included", "[eval][tasks][sst2]") {
    const auto task = load("sst2", "sst2.tsv");
    CHECK(task.format == "glue-tsv");
    CHECK(metricNames(task) == std::vector<std::string>{"acc"});
    REQUIRE(task.items.size() == 4);
    CHECK(task.items[0].sets[0].context ==
          "a warm , funny and quietly moving film . \nQuestion: Is this sentence positive or negative?\nAnswer:");
    CHECK(task.items[0].sets[0].choices == std::vector<std::string>{"negative", "positive"});
    CHECK(task.items[0].sets[0].labels == std::vector<int>{0, 1});
    CHECK(task.items[1].sets[0].labels == std::vector<int>{1, 0});
    CHECK(task.items[2].sets[0].context ==
          "an \"ironic\" take that never finds its footing . \nQuestion: Is this sentence positive or negative?\nAnswer:");
    CHECK(task.items[3].sets[0].context.rfind("the café scenes glow with real charm . \n", 0) == 0);
    CHECK(task.items[3].source == fixture("sst2.tsv") + ":6");
    REQUIRE(task.skipped.size() == 2);
    CHECK(task.skipped[0].where == fixture("sst2.tsv") + ":5");
    CHECK_THAT(task.skipped[0].reason, Contains("maybe"));
    CHECK(task.skipped[1].where == fixture("sst2.tsv") + ":7");

    const auto other = load("sst2", "sst2_columns.tsv");
    REQUIRE(other.items.size() == 2);
    CHECK(other.items[0].sets[0].context == "bright and brisk . \nQuestion: Is this sentence positive or negative?\nAnswer:");
    CHECK(other.items[0].sets[0].labels == std::vector<int>{0, 1});
    CHECK(other.items[1].sets[0].labels == std::vector<int>{1, 0});
}

TEST_CASE("wikiqa: questions grouped in first-appearance order, only those with a correct sentence", "[eval][tasks][wikiqa]") {
    const auto task = load("wikiqa", "wikiqa.tsv");
    CHECK(task.kind == TaskKind::Ranking);
    CHECK(task.format == "wikiqa-tsv");
    CHECK(metricNames(task) == std::vector<std::string>{"map", "mrr", "p_at_1"});
    REQUIRE(task.items.size() == 2);
    CHECK(task.rowsRead == 9);
    const EvalItem& bees = task.items[0];
    CHECK(bees.source == fixture("wikiqa.tsv") + ":2");
    REQUIRE(bees.sets.size() == 4);  // its fourth row comes after Q2's rows
    CHECK(bees.relevance == std::vector<int>{0, 1, 0, 1});
    CHECK(bees.sets[3].context ==
          "Question: how do bees make honey\nSentence: The honey is stored in wax combs inside the hive .\n"
          "Does the sentence answer the question? Answer:");
    CHECK(bees.sets[0].choices == std::vector<std::string>{"yes", "no"});
    CHECK(bees.sets[0].delimiter == " ");
    CHECK(bees.sets[1].labels == std::vector<int>{1, 0});
    CHECK(bees.sets[0].labels == std::vector<int>{0, 1});
    const EvalItem& water = task.items[1];
    CHECK(water.relevance == std::vector<int>{1, 0});
    CHECK(water.sets[1].context ==
          "Question: what is the boiling point of water\nSentence: Pure water has no \"taste\" .\n"
          "Does the sentence answer the question? Answer:");
    REQUIRE(task.skipped.size() == 1);  // the question without an answer is a note, not a skipped row
    CHECK(task.skipped[0].where == fixture("wikiqa.tsv") + ":9");
    bool filterNote = false;
    for (const auto& note : task.notes) filterNote = filterNote || note.find("1 of 3 questions") != std::string::npos;
    CHECK(filterNote);

    auto limited = spec("wikiqa", fixture("wikiqa.tsv"));
    limited.limit = 1;
    CHECK(loadTask(limited).items.size() == 1);
}

TEST_CASE("perplexity: the file is only checked", "[eval][tasks]") {
    const auto builtin = loadTask(spec("perplexity", "builtin"));
    CHECK(builtin.kind == TaskKind::Perplexity);
    CHECK(builtin.format == "builtin");
    CHECK(builtin.items.empty());
    CHECK(metricNames(builtin) == std::vector<std::string>{"perplexity"});
    CHECK(load("perplexity", "sst2.tsv").format == "text");
    CHECK(load("perplexity", "nq_open.jsonl").format == "jsonl");
    CHECK_THROWS_AS(loadTask(spec("perplexity", fixture("absent.txt"))), IoError);
}

TEST_CASE("bad task files give one error naming the file", "[eval][tasks][corrupt]") {
    test::TempDir dir;
    const auto path = [&](const char* name) { return (dir / name).string(); };
    const std::string absent = path("absent.json");
    CHECK_THROWS_AS(loadTask(spec("sciq", absent)), IoError);
    CHECK_THROWS_WITH(loadTask(spec("sciq", absent)), Contains(absent));

    test::writeText(dir / "empty.jsonl", "");
    CHECK_THROWS_WITH(loadTask(spec("nq_open", path("empty.jsonl"))), Contains("empty.jsonl") && Contains("empty"));

    test::writeText(dir / "broken.jsonl", "{\"question\": 1}\nnot json\n");
    CHECK_THROWS_AS(loadTask(spec("nq_open", path("broken.jsonl"))), FormatError);  // zero usable items even when lenient
    CHECK_THROWS_WITH(loadTask(spec("nq_open", path("broken.jsonl"))), Contains("no usable") && Contains("broken.jsonl:1"));

    test::writeBytes(dir / "latin1.tsv", {'s', 'e', 'n', 't', 'e', 'n', 'c', 'e', '\t', 'l', 'a', 'b', 'e', 'l', '\n',
                                          'c', 'a', 'f', 0xE9, '\t', '1', '\n'});
    CHECK_THROWS_WITH(loadTask(spec("sst2", path("latin1.tsv"))), Contains("latin1.tsv") && Contains("line 2") && Contains("UTF-8"));
    test::writeBytes(dir / "nul.jsonl", {'{', '}', '\n', 0, '\n'});
    CHECK_THROWS_WITH(loadTask(spec("nq_open", path("nul.jsonl"))), Contains("line 2") && Contains("NUL"));

    test::writeText(dir / "other.json", "[{\"title\": \"x\", \"body\": \"y\"}]");
    CHECK_THROWS_WITH(loadTask(spec("sciq", path("other.json"))), Contains("other.json") && Contains("not a SciQ record"));
    test::writeText(dir / "plain.txt", "just some words\n");
    CHECK_THROWS_AS(loadTask(spec("sciq", path("plain.txt"))), FormatError);
    test::writeText(dir / "noheader.tsv", "a\tb\n");
    CHECK_THROWS_WITH(loadTask(spec("sst2", path("noheader.tsv"))), Contains("'sentence' and 'label'"));
    CHECK_THROWS_WITH(loadTask(spec("wikiqa", path("noheader.tsv"))), Contains("QuestionID"));
    CHECK_THROWS_WITH(loadTask(spec("truthfulqa", path("noheader.tsv"))), Contains("not a TruthfulQA CSV"));

    test::writeText(dir / "deep.json", std::string(100000, '[') + std::string(100000, ']'));
    CHECK_THROWS_WITH(loadTask(spec("sciq", path("deep.json"))), Contains("deep.json") && Contains("nesting"));
    test::writeText(dir / "deep.jsonl", "{\"question\": \"q\", \"answer\": [\"a\"]}\n" + std::string(1000, '[') + "\n");
    const auto lenient = loadTask(spec("nq_open", path("deep.jsonl")));
    REQUIRE(lenient.skipped.size() == 1);
    CHECK_THAT(lenient.skipped[0].reason, Contains("nesting"));
    std::string wide = "sentence\tlabel\nfine . \t1\n";
    for (int i = 0; i < 3000; ++i) wide += "x\t";
    test::writeText(dir / "wide.tsv", wide + "1\n");
    const auto narrow = loadTask(spec("sst2", path("wide.tsv")));
    CHECK(narrow.items.size() == 1);
    REQUIRE(narrow.skipped.size() == 1);
    CHECK(narrow.skipped[0].where == path("wide.tsv") + ":3");
    CHECK_THAT(narrow.skipped[0].reason, Contains("more than 1024 fields"));
    test::writeText(dir / "cut.json", "[{\"question\": \"q\", ");
    CHECK_THROWS_WITH(loadTask(spec("sciq", path("cut.json"))), Contains("cut.json") && Contains("malformed JSON"));
}
