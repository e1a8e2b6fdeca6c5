// Task "sst2": GLUE SST-2 TSV (plain tab splitting: sentences hold bare quotes) scored zero-shot
// with the harness's positive/negative prompt. The sentence is used exactly as stored.
#include "eval/readers.h"

#include "avss/error.h"
#include "eval/csv_reader.h"
#include "eval/input_file.h"
#include "eval/prompts.h"
#include "eval/row_sink.h"

namespace avss::eval {

TaskData readSst2(const TaskSpec& spec) {
    TaskData data = newTaskData(spec, "sst2", TaskKind::MultipleChoice, "SST-2 (zero-shot prompt)");
    const std::string text = readInputFile(spec.data);
    CsvReader reader(text, '\t', false);
    CsvRecord header;
    if (!reader.next(header)) throw FormatError(spec.data, "not an SST-2 TSV: no header line");
    const auto sentence = findColumn(header, "sentence");
    const auto label = findColumn(header, "label");
    if (!sentence || !label) {
        throw FormatError(spec.data, "line " + std::to_string(header.line) +
                                         ": not an SST-2 TSV: the header needs 'sentence' and 'label' columns");
    }
    RowSink sink(spec, data);
    CsvRecord row;
    while (!sink.full() && reader.next(row)) {
        sink.take(RowRef{row.line, true}, [&] {
            if (!row.problem.empty()) throw RowProblem(row.problem);
            if (row.fields.size() != header.fields.size()) {
                throw RowProblem(std::to_string(row.fields.size()) + " fields, the header has " + std::to_string(header.fields.size()));
            }
            const std::string& stored = row.fields[*sentence];
            if (stored.find_first_not_of(' ') == std::string::npos) throw RowProblem("the sentence is empty");
            EvalItem item;
            item.sets.push_back(goldChoiceSet(sst2Context(stored), {"negative", "positive"},
                                              static_cast<std::size_t>(parseBinaryLabel(row.fields[*label], "the label"))));
            return item;
        });
    }
    sink.finish();
    data.format = "glue-tsv";
    data.notes.push_back("zero-shot prompting (harness sst2), not a fine-tuned classifier; floor 50% (always positive: 50.9% on GLUE dev)");
    return data;
}

}  // namespace avss::eval
