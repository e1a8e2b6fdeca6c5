// Benchmark tasks as data: the files each task reads, the items it yields (contexts, choices and
// prompts built exactly as lm-evaluation-harness builds them; docs/evaluation.md) and the rows it
// could not use. Torch-free: readers and templates are tested without a model.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace avss {

enum class TaskKind {
    Perplexity,      // rolling windows over a text (avss/perplexity.h)
    MultipleChoice,  // summed log-likelihood of each choice after its context
    Generation,      // greedy continuation until a stop string, scored by exact match
    Ranking,         // candidates of one question ranked by a log-likelihood score (WikiQA)
};

struct TaskSpec {
    std::string name;                    // one of taskNames()
    std::filesystem::path data;          // the task's file (perplexity: a text file, or "builtin")
    std::int64_t limit = 0;              // the first N usable items in file order (0 = all)
    bool strict = false;                 // a malformed row throws FormatError instead of being skipped and counted
    bool sciqSupport = true;             // allenai SciQ JSON: the support passage opens the context (harness); false = closed-book
    std::string questionField = "question";  // task "qa": generic JSONL fields; a field may hold a string or a list
    std::string answerField = "answer";
    std::string aliasField;              // task "qa": optional extra references
    // Items whose question has one of these keys (questionKey) are left out before `limit` counts:
    // the questions a tuned model was trained on, so that its before/after scores are held out.
    std::vector<std::string> excludedQuestions;
};

// One log-likelihood question: the context, then each choice after the delimiter.
struct ChoiceSet {
    std::string context;
    std::string delimiter = " ";         // lm-eval's target_delimiter; the continuation is delimiter + choice
    std::vector<std::string> choices;    // without the delimiter (acc_norm divides by their length in code points, Python len)
    std::vector<int> labels;             // one per choice: 1 = true (gold), 0 = false
};

struct EvalItem {
    std::string source;                  // "<file>:<line>" or "<file>: record <n>" (1-based), for reports
    std::string question;                // the question as the file has it (empty: the task has none, e.g. SST-2)
    std::vector<ChoiceSet> sets;         // MultipleChoice: one set (TruthfulQA: MC1 then MC2); Ranking: one per candidate
    std::string prompt;                  // Generation: the context the model continues
    std::vector<std::string> references; // Generation: any one matching counts
    std::vector<int> relevance;          // Ranking: one per candidate (= per set), 1 = the sentence answers the question
};

struct SkippedRow {
    std::string where;                   // "<file>:<line>" or "<file>: record <n>"
    std::string reason;
};

// lm-eval's exact_match: delete each regex match (before lowercasing), then lowercase, then delete
// ASCII punctuation; the stripped prediction must equal one reference normalised the same way.
struct ExactMatchRule {
    bool ignoreCase = true;
    bool ignorePunctuation = true;
    std::vector<std::string> regexesToIgnore;  // PCRE2 patterns
};

struct TaskData {
    std::string task;                    // canonical name, e.g. "sciq"
    std::string title;                   // for reports, e.g. "SciQ (closed-book)"
    TaskKind kind = TaskKind::MultipleChoice;
    std::filesystem::path file;
    std::string format;                  // which reader: "allenai-json", "instruction-json", "truthfulqa-csv", ...
    std::vector<EvalItem> items;         // at most spec.limit
    std::vector<SkippedRow> skipped;     // malformed rows (spec.strict = false)
    std::int64_t rowsRead = 0;           // data rows looked at (stops early once `limit` items are found)
    std::int64_t excluded = 0;           // usable items left out because their question is in spec.excludedQuestions
    std::vector<std::string> stopStrings;  // Generation: lm-eval `until` (EOS is added by the generator)
    ExactMatchRule exactMatch;           // Generation
    std::vector<std::string> notes;      // protocol notes printed with the result (e.g. "790 questions, not 817")
};

// Reads the task's file (the format is recognised from its content and extension). Throws IoError
// (missing, unreadable), FormatError naming the file and line (not the expected format, no usable
// item, or any malformed row when strict), UsageError (unknown task, bad field names).
TaskData loadTask(const TaskSpec& spec);

// The form in which questions are compared across files: whitespace runs collapsed to one space and
// trimmed, ASCII letters lowercased ("What is X?" in a pairs file = "what is  x?" in a task file).
std::string questionKey(std::string_view question);

std::vector<std::string> taskNames();    // perplexity, sciq, truthfulqa, nq_open, triviaqa, qa, sst2, wikiqa
std::string describeTasks();             // one line per task: name, formats read, metrics (for --help)

}  // namespace avss
