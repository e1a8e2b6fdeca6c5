// Task "wikiqa": Microsoft WikiQA TSV grouped into questions (first-appearance order); each
// candidate sentence is a yes/no choice set, ranked by loglik(yes) − loglik(no). Only questions with
// at least one correct sentence are evaluated (the standard filter). The whole file is read:
// a question's rows need not be adjacent.
#include "eval/readers.h"

#include <algorithm>
#include <unordered_map>

#include "avss/error.h"
#include "eval/csv_reader.h"
#include "eval/input_file.h"
#include "eval/prompts.h"
#include "eval/row_sink.h"

namespace avss::eval {
namespace {

constexpr std::size_t kMaxCandidates = 10'000;  // WikiQA has at most a few dozen; more is a broken file

struct Question {
    RowRef first;  // the question's first row
    std::string text;
    std::vector<std::string> sentences;
    std::vector<int> labels;
};

struct Columns {
    std::size_t id, question, sentence, label;
};

Columns columns(const CsvRecord& header, const std::filesystem::path& path) {
    const auto column = [&](const char* name) {
        const auto at = findColumn(header, name);
        if (!at) {
            throw FormatError(path, "line " + std::to_string(header.line) + ": not a WikiQA TSV: the header has no '" +
                                        name + "' column");
        }
        return *at;
    };
    return {column("QuestionID"), column("Question"), column("Sentence"), column("Label")};
}

EvalItem questionItem(const Question& q) {
    EvalItem item;
    item.question = q.text;
    for (const auto& sentence : q.sentences) {
        ChoiceSet set;
        set.context = wikiqaContext(q.text, sentence);
        set.choices = {"yes", "no"};
        item.sets.push_back(std::move(set));
    }
    for (std::size_t i = 0; i < q.labels.size(); ++i) item.sets[i].labels = q.labels[i] ? std::vector<int>{1, 0} : std::vector<int>{0, 1};
    item.relevance = q.labels;
    return item;
}

}  // namespace

TaskData readWikiqa(const TaskSpec& spec) {
    TaskData data = newTaskData(spec, "wikiqa", TaskKind::Ranking, "WikiQA (answer-sentence selection)");
    const std::string text = readInputFile(spec.data);
    CsvReader reader(text, '\t', false);
    CsvRecord header;
    if (!reader.next(header)) throw FormatError(spec.data, "not a WikiQA TSV: no header line");
    const Columns col = columns(header, spec.data);
    RowSink sink(spec, data);
    std::vector<Question> questions;
    std::unordered_map<std::string, std::size_t> byId;
    CsvRecord row;
    while (reader.next(row)) {
        sink.countRow();
        const RowRef ref{row.line, true};
        if (!row.problem.empty() || row.fields.size() != header.fields.size()) {
            sink.reject(ref, !row.problem.empty() ? row.problem
                                                  : std::to_string(row.fields.size()) + " fields, the header has " +
                                                        std::to_string(header.fields.size()));
            continue;
        }
        try {
            const int label = parseBinaryLabel(row.fields[col.label], "the label");
            if (row.fields[col.id].empty()) throw RowProblem("the question id is empty");
            if (row.fields[col.question].empty()) throw RowProblem("the question is empty");
            if (row.fields[col.sentence].empty()) throw RowProblem("the sentence is empty");
            const auto [it, added] = byId.emplace(row.fields[col.id], questions.size());
            if (added) questions.push_back(Question{ref, row.fields[col.question], {}, {}});
            if (questions[it->second].labels.size() >= kMaxCandidates) {
                throw RowProblem("question " + row.fields[col.id] + " has more than " + std::to_string(kMaxCandidates) + " candidates");
            }
            questions[it->second].sentences.push_back(row.fields[col.sentence]);
            questions[it->second].labels.push_back(label);
        } catch (const RowProblem& problem) {
            sink.reject(ref, problem.what());
        }
    }
    std::size_t looked = 0, withoutAnswer = 0;
    for (const Question& q : questions) {
        if (sink.full()) break;
        ++looked;
        if (std::find(q.labels.begin(), q.labels.end(), 1) == q.labels.end()) {
            ++withoutAnswer;
            continue;
        }
        sink.add(q.first, questionItem(q));
    }
    sink.finish();
    data.format = "wikiqa-tsv";
    data.notes.push_back(std::to_string(withoutAnswer) + " of " + std::to_string(looked) +
                         " questions have no correct sentence and are left out (the standard WikiQA filter)");
    data.notes.push_back("candidate score = loglik(\" yes\") - loglik(\" no\") after \"Question: <q>\\nSentence: <s>\\n"
                         "Does the sentence answer the question? Answer:\"; ties keep the file order");
    return data;
}

}  // namespace avss::eval
