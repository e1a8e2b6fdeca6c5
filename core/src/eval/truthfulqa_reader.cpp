// Task "truthfulqa" (harness truthfulqa_mc1 + truthfulqa_mc2 as one item with two choice sets):
// mc_task.json (choice order = key order), HF multiple_choice rows ({choices, labels}), or
// TruthfulQA.csv, whose MC1/MC2 sets are derived from its answer columns.
#include "eval/readers.h"

#include <algorithm>

#include "avss/error.h"
#include "eval/csv_reader.h"
#include "eval/input_file.h"
#include "eval/json_records.h"
#include "eval/prompts.h"
#include "eval/python_text.h"
#include "eval/row_sink.h"

namespace avss::eval {
namespace {

int labelOf(const Json& value, const std::string& what) {
    if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
    if (value.is_number_integer() && (value.get<std::int64_t>() == 0 || value.get<std::int64_t>() == 1)) {
        return static_cast<int>(value.get<std::int64_t>());
    }
    throw RowProblem(what + " is not 0 or 1");
}

// {"answer": 1, ...} (mc_task.json) or {"choices": [...], "labels": [...]} (HF rows).
ChoiceSet targets(const Json& record, const std::string& key, const std::string& context, bool& hfRows) {
    const Json& t = jsonField(record, key);
    if (!t.is_object()) throw RowProblem("field '" + key + "' is not an object");
    ChoiceSet set;
    set.context = context;
    hfRows = t.size() == 2 && t.contains("choices") && t.contains("labels") && t["choices"].is_array();
    if (hfRows) {
        set.choices = jsonStringOrList(t, "choices");
        const Json& labels = t["labels"];
        if (!labels.is_array() || labels.size() != set.choices.size()) {
            throw RowProblem(key + ".labels is not a list as long as " + key + ".choices");
        }
        for (const Json& label : labels) set.labels.push_back(labelOf(label, key + ": a label"));
    } else {
        for (const auto& [answer, label] : t.items()) {
            set.choices.push_back(answer);
            set.labels.push_back(labelOf(label, key + ": the label of '" + answer + "'"));
        }
    }
    for (std::size_t i = 0; i < set.choices.size(); ++i) {
        if (set.choices[i].empty()) throw RowProblem(key + ": choice " + std::to_string(i + 1) + " is empty");
    }
    return set;
}

void checkSets(const ChoiceSet& mc1, const ChoiceSet& mc2) {
    const auto trueCount = [](const ChoiceSet& s) { return std::count(s.labels.begin(), s.labels.end(), 1); };
    if (trueCount(mc1) != 1) throw RowProblem("MC1 has " + std::to_string(trueCount(mc1)) + " true answers, not exactly one");
    const auto t2 = trueCount(mc2);
    if (t2 < 1 || t2 == static_cast<std::int64_t>(mc2.labels.size())) {
        throw RowProblem("MC2 needs at least one true and one false answer (" + std::to_string(t2) + " of " +
                         std::to_string(mc2.labels.size()) + " are true)");
    }
}

EvalItem jsonItem(const Json& record, bool& hfRows) {
    const std::string question = jsonString(record, "question");
    if (question.empty()) throw RowProblem("the question is empty");
    const std::string context = truthfulqaContext(question);
    EvalItem item;
    item.question = question;
    item.sets.push_back(targets(record, "mc1_targets", context, hfRows));
    item.sets.push_back(targets(record, "mc2_targets", context, hfRows));
    checkSets(item.sets[0], item.sets[1]);
    return item;
}

struct CsvColumns {
    std::size_t question, best, correct, incorrect, count;
};

CsvColumns csvColumns(const CsvRecord& header, const std::filesystem::path& path) {
    const auto column = [&](const char* name) {
        const auto at = findColumn(header, name);
        if (!at) {
            throw FormatError(path, "line " + std::to_string(header.line) + ": not a TruthfulQA CSV: the header has no '" +
                                        name + "' column");
        }
        return *at;
    };
    return {column("Question"), column("Best Answer"), column("Correct Answers"), column("Incorrect Answers"), header.fields.size()};
}

EvalItem csvItem(const CsvRecord& row, const CsvColumns& col) {
    if (!row.problem.empty()) throw RowProblem(row.problem);
    if (row.fields.size() != col.count) {
        throw RowProblem(std::to_string(row.fields.size()) + " fields, the header has " + std::to_string(col.count));
    }
    const std::string question = row.fields[col.question];
    const std::string best = pythonStrip(row.fields[col.best]);
    const auto correct = splitTruthfulqaAnswers(row.fields[col.correct]);
    const auto incorrect = splitTruthfulqaAnswers(row.fields[col.incorrect]);
    if (question.empty()) throw RowProblem("the question is empty");
    if (best.empty()) throw RowProblem("'Best Answer' is empty");
    if (correct.empty()) throw RowProblem("'Correct Answers' is empty");
    if (incorrect.empty()) throw RowProblem("'Incorrect Answers' is empty");
    const std::string context = truthfulqaContext(question);
    EvalItem item;
    item.question = question;
    std::vector<std::string> mc1 = {best};
    mc1.insert(mc1.end(), incorrect.begin(), incorrect.end());
    item.sets.push_back(goldChoiceSet(context, std::move(mc1), 0));
    ChoiceSet mc2;
    mc2.context = context;
    mc2.choices = correct;
    mc2.choices.insert(mc2.choices.end(), incorrect.begin(), incorrect.end());
    mc2.labels.assign(correct.size(), 1);
    mc2.labels.resize(mc2.choices.size(), 0);
    item.sets.push_back(std::move(mc2));
    return item;
}

void readJson(const TaskSpec& spec, const std::string& text, TaskData& data) {
    const JsonLayout layout = detectJsonLayout(text, spec.data, "a TruthfulQA file");
    RowSink sink(spec, data);
    bool hfRows = false, decided = false;
    forEachJsonRecord(text, spec.data, layout, [&](JsonRecord& record) {
        sink.take(record.ref, [&] {
            if (!record.problem.empty()) throw RowProblem(record.problem);
            bool hf = false;
            EvalItem item = jsonItem(record.value, hf);
            if (!decided) hfRows = hf, decided = true;
            return item;
        });
        return !sink.full();
    });
    sink.finish();
    data.format = std::string(hfRows ? "truthfulqa-hf" : "truthfulqa-mc") + (layout == JsonLayout::Array ? "-json" : "-jsonl");
}

void readCsv(const TaskSpec& spec, const std::string& text, TaskData& data) {
    CsvReader reader(text, ',', true);
    CsvRecord record;
    if (!reader.next(record) || !record.problem.empty()) throw FormatError(spec.data, "not a TruthfulQA CSV: no header line");
    const CsvColumns columns = csvColumns(record, spec.data);
    RowSink sink(spec, data);
    while (!sink.full() && reader.next(record)) sink.take(RowRef{record.line, true}, [&] { return csvItem(record, columns); });
    sink.finish();
    data.format = "truthfulqa-csv";
    data.notes.push_back("choice sets derived from the CSV: MC1 = [Best Answer] + Incorrect Answers, MC2 = Correct Answers "
                         "(true) + Incorrect Answers (false), lists split at ';'; close to, not always equal to, mc_task.json");
}

}  // namespace

std::vector<std::string> splitTruthfulqaAnswers(std::string_view list) {
    std::vector<std::string> out;
    for (std::size_t start = 0; start <= list.size();) {
        const auto end = std::min(list.find(';', start), list.size());
        std::string part = pythonStrip(list.substr(start, end - start));
        if (!part.empty()) out.push_back(std::move(part));
        start = end + 1;
    }
    return out;
}

TaskData readTruthfulqa(const TaskSpec& spec) {
    TaskData data = newTaskData(spec, "truthfulqa", TaskKind::MultipleChoice, "TruthfulQA (MC1/MC2)");
    const std::string text = readInputFile(spec.data);
    const char first = firstNonBlank(text);
    if (first == '[' || first == '{') readJson(spec, text, data);
    else readCsv(spec, text, data);
    if (data.items.size() == 790) data.notes.push_back("790 questions (2025 revision), harness has 817");
    if (data.items.size() == 817) data.notes.push_back("817 questions (the harness's set)");
    data.notes.push_back("MC1: the true answer must score highest (ties go to the first choice); MC2: normalised "
                         "probability mass of the true answers (harness v3, by labels)");
    return data;
}

}  // namespace avss::eval
