// The task table: names, formats and metrics of every task, loadTask's dispatch and the helpers
// the readers share (see avss/eval_task.h and docs/evaluation.md §1).
#include "avss/eval_task.h"

#include <algorithm>

#include "avss/error.h"
#include "eval/python_text.h"
#include "eval/readers.h"
#include "eval/row_sink.h"

namespace avss {
namespace {

struct TaskEntry {
    const char* name;
    const char* formats;
    std::vector<std::string> metrics;
    TaskData (*read)(const TaskSpec&);
};

const std::vector<TaskEntry>& table() {
    static const std::vector<TaskEntry> entries = {
        {"perplexity", "a text or JSONL file, or builtin", {"perplexity"}, eval::readPerplexity},
        {"sciq", "allenai/sciq JSON or JSONL; the instruction-style copy (JSON)", {"acc", "acc_norm"}, eval::readSciq},
        {"truthfulqa", "mc_task.json (or HF multiple_choice rows); TruthfulQA.csv", {"mc1", "mc2"}, eval::readTruthfulqa},
        {"nq_open", "JSONL {question, answer: [...]}", {"exact_match"}, eval::readNqOpen},
        {"triviaqa", "official JSON {Data: [...]}; HF rc.nocontext rows (JSON or JSONL)", {"exact_match"}, eval::readTriviaqa},
        {"qa", "JSONL with a question and an answer field (string or list)", {"exact_match"}, eval::readQa},
        {"sst2", "GLUE TSV with sentence and label columns", {"acc"}, eval::readSst2},
        {"wikiqa", "Microsoft WikiQA TSV", {"map", "mrr", "p_at_1"}, eval::readWikiqa},
    };
    return entries;
}

const TaskEntry* find(std::string_view name) {
    const auto& entries = table();
    const auto it = std::find_if(entries.begin(), entries.end(), [&](const TaskEntry& e) { return name == e.name; });
    return it == entries.end() ? nullptr : &*it;
}

std::string joined(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const auto& part : parts) out += (out.empty() ? "" : separator) + part;
    return out;
}

}  // namespace

std::string questionKey(std::string_view question) {
    std::string key;
    bool space = false;
    for (const char c : question) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = !key.empty();
            continue;
        }
        if (space) key += ' ';
        space = false;
        key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return key;
}

std::vector<std::string> taskNames() {
    std::vector<std::string> names;
    for (const auto& entry : table()) names.emplace_back(entry.name);
    return names;
}

std::string describeTasks() {
    std::string out;
    for (const auto& entry : table()) {
        std::string name = entry.name;
        name.resize(std::max<std::size_t>(name.size() + 1, 12), ' ');
        out += name + entry.formats + "; metrics: " + joined(entry.metrics, ", ") + "\n";
    }
    return out;
}

TaskData loadTask(const TaskSpec& spec) {
    const TaskEntry* entry = find(spec.name);
    if (!entry) throw UsageError({}, "unknown task '" + spec.name + "'", "Known tasks: " + joined(taskNames(), ", ") + ".");
    if (spec.data.empty()) throw UsageError({}, "task '" + spec.name + "' needs a data file");
    if (spec.limit < 0) throw UsageError({}, "the item limit is negative (" + std::to_string(spec.limit) + ")");
    return entry->read(spec);
}

namespace eval {

TaskData newTaskData(const TaskSpec& spec, const std::string& task, TaskKind kind, std::string title) {
    TaskData data;
    data.task = task;
    data.title = std::move(title);
    data.kind = kind;
    data.file = spec.data;
    return data;
}

ChoiceSet goldChoiceSet(std::string context, std::vector<std::string> choices, std::size_t gold) {
    ChoiceSet set;
    set.context = std::move(context);
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (choices[i].empty()) throw RowProblem("choice " + std::to_string(i + 1) + " is empty");
    }
    set.labels.assign(choices.size(), 0);
    set.labels.at(gold) = 1;
    set.choices = std::move(choices);
    return set;
}

const std::vector<std::string>* registeredMetrics(std::string_view task) {
    const TaskEntry* entry = find(task);
    return entry ? &entry->metrics : nullptr;
}

int parseBinaryLabel(std::string_view text, const std::string& what) {
    const std::string value = pythonStrip(text);
    if (value == "0") return 0;
    if (value == "1") return 1;
    throw RowProblem(what + " is '" + value.substr(0, 40) + "', not 0 or 1");
}

}  // namespace eval
}  // namespace avss
