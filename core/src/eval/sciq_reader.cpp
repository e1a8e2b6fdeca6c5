// Task "sciq": allenai/sciq records (harness template, support passage optional) or the
// instruction-style copy whose question and shuffled choices sit inside one instruction string.
#include "eval/readers.h"

#include "avss/error.h"
#include "eval/input_file.h"
#include "eval/json_records.h"
#include "eval/pattern.h"
#include "eval/prompts.h"
#include "eval/python_text.h"
#include "eval/row_sink.h"

namespace avss::eval {
namespace {

enum class Shape { Unknown, Allenai, Instruction };

// The instruction copy's one template; lazy groups take the first separator of each kind.
constexpr const char* kInstruction =
    "Please choose the correct answer to the question: (.*?)\\n\\nAnswer1: (.*?)\\nAnswer2: (.*?)\\nAnswer3: (.*?)"
    "\\nAnswer4: (.*?)\\n\\nAnswer format: answer1/answer2/answer3/answer4";

Shape shapeOf(const Json& record) {
    if (!record.is_object()) return Shape::Unknown;
    if (record.contains("instruction")) return Shape::Instruction;
    if (record.contains("correct_answer") || record.contains("distractor1")) return Shape::Allenai;
    return Shape::Unknown;
}

EvalItem allenaiItem(const Json& record, bool withSupport) {
    const std::string question = jsonString(record, "question");
    std::vector<std::string> choices = {jsonString(record, "distractor1"), jsonString(record, "distractor2"),
                                        jsonString(record, "distractor3"), jsonString(record, "correct_answer")};
    EvalItem item;
    item.question = question;
    const std::string context =
        withSupport ? sciqContext(question, jsonString(record, "support")) : sciqClosedBookContext(question);
    item.sets.push_back(goldChoiceSet(context, std::move(choices), 3));
    return item;
}

EvalItem instructionItem(const Json& record) {
    static const Pattern shape(kInstruction, true);
    const auto parts = shape.matchWhole(jsonString(record, "instruction"));
    if (!parts) throw RowProblem("the instruction does not have the expected shape (question, Answer1..Answer4, answer format)");
    const std::string answer = pythonStrip(jsonString(record, "answer"));
    if (answer.size() != 7 || answer.compare(0, 6, "answer") != 0 || answer[6] < '1' || answer[6] > '4') {
        throw RowProblem("field 'answer' is '" + answer + "', not answer1..answer4");
    }
    const std::string question = pythonStrip((*parts)[0]);
    if (question.empty()) throw RowProblem("the question is empty");
    std::vector<std::string> choices;
    for (std::size_t i = 1; i <= 4; ++i) choices.push_back(pythonStrip((*parts)[i]));
    EvalItem item;
    item.question = question;
    item.sets.push_back(goldChoiceSet(sciqClosedBookContext(question), std::move(choices), static_cast<std::size_t>(answer[6] - '1')));
    return item;
}

}  // namespace

TaskData readSciq(const TaskSpec& spec) {
    TaskData data = newTaskData(spec, "sciq", TaskKind::MultipleChoice, "SciQ");
    const std::string text = readInputFile(spec.data);
    const JsonLayout layout = detectJsonLayout(text, spec.data, "a SciQ file");
    Shape shape = Shape::Unknown;
    RowSink sink(spec, data);
    forEachJsonRecord(text, spec.data, layout, [&](JsonRecord& record) {
        if (shape == Shape::Unknown && record.problem.empty() && record.value.is_object()) {
            shape = shapeOf(record.value);  // the first object decides the format of the whole file
            if (shape == Shape::Unknown) {
                throw FormatError(spec.data, record.ref.label() + ": not a SciQ record: expected the keys of allenai/sciq "
                                                                  "(question, distractor1..3, correct_answer, support) or "
                                                                  "of the instruction copy (instruction, answer)");
            }
        }
        sink.take(record.ref, [&] {
            if (!record.problem.empty()) throw RowProblem(record.problem);
            if (shape == Shape::Unknown) throw RowProblem("not a JSON object");
            return shape == Shape::Allenai ? allenaiItem(record.value, spec.sciqSupport) : instructionItem(record.value);
        });
        return !sink.full();
    });
    sink.finish();
    const std::string suffix = layout == JsonLayout::Array ? "-json" : "-jsonl";
    if (shape == Shape::Instruction) {
        data.format = "instruction" + suffix;
        data.title = "SciQ (closed-book)";
        data.notes.push_back("closed-book: this copy has no support passages, so the context is \"Question: <q>\\nAnswer:\"; "
                             "not comparable to harness SciQ (open-book)");
        data.notes.push_back("choices parsed from the instruction in their shuffled order; the gold index comes from answerN");
    } else {
        data.format = "allenai" + suffix;
        if (spec.sciqSupport) {
            data.notes.push_back("harness sciq: the support passage opens the context (reading comprehension)");
        } else {
            data.title = "SciQ (closed-book)";
            data.notes.push_back("closed-book: support passages left out; not comparable to harness SciQ (open-book)");
        }
    }
    return data;
}

}  // namespace avss::eval
