// Generation tasks scored by exact match: nq_open, triviaqa (official JSON or HF rows) and the
// generic "qa" JSONL. Prompts, stop strings and normalisation follow the harness (docs/evaluation.md).
#include "eval/readers.h"

#include <algorithm>

#include "avss/error.h"
#include "eval/input_file.h"
#include "eval/json_records.h"
#include "eval/prompts.h"
#include "eval/row_sink.h"

namespace avss::eval {
namespace {

// lm-eval nq_open / triviaqa `until`; the generator adds the EOS text.
const std::vector<std::string> kStops = {"\n", ".", ","};
// lm-eval nq_open `regexes_to_ignore` (the duplicate "The " is the harness's own).
constexpr const char* kNqArticles = "\\b(?:The |the |An |A |The |a |an )";

using ItemFn = std::function<EvalItem(const Json&)>;

EvalItem generationItem(std::string question, std::string prompt, std::vector<std::string> references) {
    if (references.empty()) throw RowProblem("no reference answer");
    EvalItem item;
    item.question = std::move(question);
    item.prompt = std::move(prompt);
    item.references = std::move(references);
    return item;
}

std::string nonEmptyQuestion(const Json& record, const std::string& field) {
    std::string question = jsonString(record, field);
    if (question.empty()) throw RowProblem("field '" + field + "' is empty");
    return question;
}

// Every record of a JSON array or JSONL file through `make`; returns the layout's format suffix.
std::string readRecords(const TaskSpec& spec, const std::string& text, TaskData& data, const std::string& what, const ItemFn& make) {
    const JsonLayout layout = detectJsonLayout(text, spec.data, what);
    RowSink sink(spec, data);
    forEachJsonRecord(text, spec.data, layout, [&](JsonRecord& record) {
        sink.take(record.ref, [&] {
            if (!record.problem.empty()) throw RowProblem(record.problem);
            return make(record.value);
        });
        return !sink.full();
    });
    sink.finish();
    return layout == JsonLayout::Array ? "-json" : "-jsonl";
}

TaskData generationTask(const TaskSpec& spec, const std::string& task, std::string title) {
    TaskData data = newTaskData(spec, task, TaskKind::Generation, std::move(title));
    data.stopStrings = kStops;
    data.exactMatch = ExactMatchRule{true, true, {}};
    return data;
}

EvalItem triviaqaHfItem(const Json& record) {
    const std::string question = nonEmptyQuestion(record, "question");
    const Json& answer = jsonField(record, "answer");
    auto aliases = jsonStringOrList(answer, "aliases");
    if (aliases.empty()) throw RowProblem("answer.aliases is empty");
    return generationItem(question, triviaqaPrompt(question), std::move(aliases));
}

EvalItem triviaqaOfficialItem(const Json& record) {
    const std::string question = nonEmptyQuestion(record, "Question");
    const Json& answer = jsonField(record, "Answer");
    auto aliases = jsonStringOrList(answer, "Aliases");
    if (aliases.empty()) throw RowProblem("Answer.Aliases is empty");
    return generationItem(question, triviaqaPrompt(question), std::move(aliases));
}

}  // namespace

TaskData readNqOpen(const TaskSpec& spec) {
    TaskData data = generationTask(spec, "nq_open", "NQ-open");
    data.exactMatch.regexesToIgnore = {kNqArticles};
    const std::string text = readInputFile(spec.data);
    data.format = "nq-open" + readRecords(spec, text, data, "an NQ-open file", [](const Json& record) {
        const std::string question = nonEmptyQuestion(record, "question");
        return generationItem(question, nqOpenPrompt(question), jsonStringOrList(record, "answer"));
    });
    data.notes.push_back("0-shot; exact match after deleting the harness's article regex (case-sensitive), "
                         "lower-casing and ASCII punctuation; any reference counts");
    return data;
}

TaskData readTriviaqa(const TaskSpec& spec) {
    TaskData data = generationTask(spec, "triviaqa", "TriviaQA");
    const std::string text = readInputFile(spec.data);
    bool official = false;
    if (firstNonBlank(text) == '{') {  // one {"Data": [...]} document, or JSON Lines of HF rows
        RowSink sink(spec, data);
        official = forEachJsonRecordUnder(text, spec.data, "Data", [&](JsonRecord& record) {
            sink.take(record.ref, [&] { return triviaqaOfficialItem(record.value); });
            return !sink.full();
        });
        if (official) sink.finish();
    }
    if (official) data.format = "triviaqa-official-json";
    else data.format = "triviaqa-hf" + readRecords(spec, text, data, "a TriviaQA file", triviaqaHfItem);
    data.notes.push_back("0-shot; references are the answer's aliases (as the harness); exact match after lower-casing "
                         "and deleting ASCII punctuation, no article removal");
    return data;
}

TaskData readQa(const TaskSpec& spec) {
    for (const auto* field : {&spec.questionField, &spec.answerField}) {
        if (field->empty()) throw UsageError({}, "task 'qa' needs the names of its question and answer fields");
    }
    TaskData data = generationTask(spec, "qa", "Open QA (exact match)");
    const std::string text = readInputFile(spec.data);
    data.format = "qa" + readRecords(spec, text, data, "a QA file", [&](const Json& record) {
        auto references = jsonStringOrList(record, spec.answerField);
        if (!spec.aliasField.empty() && record.is_object() && record.contains(spec.aliasField)) {
            for (auto& alias : jsonStringOrList(record, spec.aliasField)) {
                if (std::find(references.begin(), references.end(), alias) == references.end()) references.push_back(std::move(alias));
            }
        }
        const std::string question = nonEmptyQuestion(record, spec.questionField);
        return generationItem(question, triviaqaPrompt(question), std::move(references));
    });
    data.notes.push_back("generic QA: the triviaqa prompt (\"Question: <q>?\\nAnswer:\") and exact-match rule; "
                         "question field '" + spec.questionField + "', references from '" + spec.answerField + "'" +
                         (spec.aliasField.empty() ? std::string() : " and '" + spec.aliasField + "'"));
    return data;
}

}  // namespace avss::eval
