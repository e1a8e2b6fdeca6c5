// loadPairs(): TruthfulQA CSV, HaluEval QA JSONL and generic pairs JSONL → AnswerPair (see
// avss/answer_pairs.h). Strict: a pairs file feeds statistics and training, so a bad row is an error,
// never a silent skip.
#include "avss/answer_pairs.h"

#include <algorithm>

#include "avss/error.h"
#include "eval/csv_reader.h"
#include "eval/input_file.h"
#include "eval/json_records.h"
#include "eval/python_text.h"
#include "eval/readers.h"
#include "util/sha256.h"

namespace avss {
namespace {

using eval::RowProblem;

// More pairs than any benchmark yields; bounds what a hostile file can make us hold.
constexpr std::size_t kMaxPairs = 1'000'000;

struct Reading {
    PairSet& set;
    std::int64_t seen = 0;  // questions read, in either half
    bool full() const { return set.spec.limit > 0 && set.questions >= set.spec.limit; }
    // Adds one question's pairs from lists of truthful and hallucinated answers, paired by index.
    void add(const eval::RowRef& ref, const std::string& question, const std::string& context, const std::vector<std::string>& truthful,
             const std::vector<std::string>& hallucinated) {
        const auto position = seen++;
        if ((set.spec.half == PairHalf::Even && position % 2 != 0) || (set.spec.half == PairHalf::Odd && position % 2 != 1)) return;
        const auto n = std::min(truthful.size(), hallucinated.size());
        if (set.pairs.size() + n > kMaxPairs) {
            throw FormatError(set.spec.file, ref.label() + ": more than " + std::to_string(kMaxPairs) + " pairs",
                              "Use --limit to read the first questions only.");
        }
        for (std::size_t i = 0; i < n; ++i) set.pairs.push_back({context, truthful[i], hallucinated[i], ref.where(set.spec.file), question, {}});
        set.unpaired += static_cast<std::int64_t>(truthful.size() + hallucinated.size() - 2 * n);
        ++set.questions;
    }
};

std::string nonEmpty(std::string text, const std::string& what) {
    if (eval::pythonStrip(text).empty()) throw RowProblem(what + " is empty");
    return text;
}

std::vector<std::string> nonEmptyList(std::vector<std::string> list, const std::string& what) {
    if (list.empty()) throw RowProblem(what + " is an empty list");
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (eval::pythonStrip(list[i]).empty()) throw RowProblem(what + ": answer " + std::to_string(i + 1) + " is empty");
    }
    return list;
}

template <class Parse>
void strictRow(const PairSet& set, const eval::RowRef& ref, Parse&& parse) {
    try {
        parse();
    } catch (const RowProblem& problem) {
        throw FormatError(set.spec.file, ref.label() + ": " + problem.what());
    }
}

void readTruthfulqaCsv(const std::string& text, Reading& r) {
    const auto& file = r.set.spec.file;
    eval::CsvReader reader(text, ',', true);
    eval::CsvRecord row;
    if (!reader.next(row) || !row.problem.empty()) throw FormatError(file, "not a TruthfulQA CSV: no header line");
    const auto column = [&](const char* name) {
        const auto at = eval::findColumn(row, name);
        if (!at) throw FormatError(file, "line " + std::to_string(row.line) + ": not a TruthfulQA CSV: the header has no '" + name + "' column");
        return *at;
    };
    const auto question = column("Question"), correct = column("Correct Answers"), incorrect = column("Incorrect Answers");
    const auto fields = row.fields.size();
    while (!r.full() && reader.next(row)) {
        const eval::RowRef ref{row.line, true};
        strictRow(r.set, ref, [&] {
            if (!row.problem.empty()) throw RowProblem(row.problem);
            if (row.fields.size() != fields) {
                throw RowProblem(std::to_string(row.fields.size()) + " fields, the header has " + std::to_string(fields));
            }
            const auto q = nonEmpty(row.fields[question], "'Question'");
            const auto t = nonEmptyList(eval::splitTruthfulqaAnswers(row.fields[correct]), "'Correct Answers'");
            const auto h = nonEmptyList(eval::splitTruthfulqaAnswers(row.fields[incorrect]), "'Incorrect Answers'");
            r.add(ref, q, pairContext(q), t, h);
        });
    }
}

void readJsonLines(const std::string& text, Reading& r) {
    const auto& spec = r.set.spec;
    const char* what = spec.format == PairFormat::HaluEval ? "a HaluEval QA file (JSON Lines)" : "a pairs file (JSON Lines)";
    if (eval::detectJsonLayout(text, spec.file, what) != eval::JsonLayout::Lines) {
        throw FormatError(spec.file, std::string("expected ") + what + ", one object per line, found a JSON array");
    }
    eval::forEachJsonRecord(text, spec.file, eval::JsonLayout::Lines, [&](eval::JsonRecord& record) {
        strictRow(r.set, record.ref, [&] {
            if (!record.problem.empty()) throw RowProblem(record.problem);
            const auto& v = record.value;
            const auto q = nonEmpty(eval::jsonString(v, "question"), "'question'");
            if (spec.format == PairFormat::HaluEval) {
                const auto context = spec.knowledge ? pairContextWithKnowledge(nonEmpty(eval::jsonString(v, "knowledge"), "'knowledge'"), q)
                                                    : pairContext(q);
                r.add(record.ref, q, context, {nonEmpty(eval::jsonString(v, "right_answer"), "'right_answer'")},
                      {nonEmpty(eval::jsonString(v, "hallucinated_answer"), "'hallucinated_answer'")});
                return;
            }
            const auto t = nonEmptyList(eval::jsonStringOrList(v, "truthful"), "'truthful'");
            const auto h = nonEmptyList(eval::jsonStringOrList(v, "hallucinated"), "'hallucinated'");
            if (t.size() != h.size()) {
                throw RowProblem("'truthful' has " + std::to_string(t.size()) + " answers and 'hallucinated' " +
                                 std::to_string(h.size()) + ": pairs need lists of equal length");
            }
            r.add(record.ref, q, pairContext(q), t, h);
        });
        return !r.full();
    });
}

}  // namespace

PairFormat parsePairFormat(std::string_view name) {
    if (name == "truthfulqa") return PairFormat::TruthfulQa;
    if (name == "halueval") return PairFormat::HaluEval;
    if (name == "pairs") return PairFormat::Pairs;
    if (name == "qa-self") return PairFormat::SelfAnswers;
    throw UsageError({}, "unknown pairs format '" + std::string(name) + "'", "Use truthfulqa, halueval, pairs or qa-self.");
}

PairFormat pairFormatFor(std::string_view name, const std::filesystem::path& file) {
    if (name != "auto") return parsePairFormat(name);
    return file.extension() == ".csv" || file.extension() == ".CSV" ? PairFormat::TruthfulQa : PairFormat::HaluEval;
}

const char* pairFormatName(PairFormat format) {
    switch (format) {
        case PairFormat::TruthfulQa: return "truthfulqa";
        case PairFormat::HaluEval: return "halueval";
        case PairFormat::Pairs: return "pairs";
        case PairFormat::SelfAnswers: return "qa-self";
    }
    return "?";
}

PairHalf parsePairHalf(std::string_view name) {
    if (name == "all") return PairHalf::All;
    if (name == "even") return PairHalf::Even;
    if (name == "odd") return PairHalf::Odd;
    throw UsageError({}, "unknown half '" + std::string(name) + "'", "Use all, even or odd.");
}

const char* pairHalfName(PairHalf half) { return half == PairHalf::Even ? "even" : half == PairHalf::Odd ? "odd" : "all"; }

std::string pairContext(std::string_view question) { return "Q: " + std::string(question) + "\nA:"; }

std::string pairContextWithKnowledge(std::string_view knowledge, std::string_view question) {
    return "Knowledge: " + std::string(knowledge) + "\n" + pairContext(question);
}

PairSet loadPairs(const PairSpec& spec) {
    if (spec.limit < 0) throw UsageError({}, "the question limit must be 0 (all) or positive");
    if (spec.format == PairFormat::SelfAnswers) {
        throw UsageError(spec.file, "qa-self pairs are the model's own answers, not a file's",
                         "Use avss hallu --format qa-self --task NAME (a generation or multiple-choice task).");
    }
    if (spec.knowledge && spec.format != PairFormat::HaluEval) {
        throw UsageError({}, "knowledge passages exist only in HaluEval files", "Leave out --knowledge.");
    }
    PairSet set;
    set.spec = spec;
    const std::string text = eval::readInputFile(spec.file);
    Reading reading{set};
    if (spec.format == PairFormat::TruthfulQa) {
        if (const char c = eval::firstNonBlank(text); c == '[' || c == '{') {
            throw FormatError(spec.file, "expected TruthfulQA.csv (Question, Correct Answers, Incorrect Answers columns), found JSON");
        }
        readTruthfulqaCsv(text, reading);
    } else {
        readJsonLines(text, reading);
    }
    if (set.pairs.empty()) throw FormatError(spec.file, "no answer pair in the file");
    set.fingerprint = util::sha256Hex(text.data(), text.size()) + "|" + pairFormatName(spec.format) + (spec.knowledge ? "|knowledge" : "") +
                      "|half=" + pairHalfName(spec.half) + "|questions=" + std::to_string(set.questions);
    if (set.unpaired > 0) {
        set.notes.push_back(std::to_string(set.unpaired) + " answers had no partner (a question's truthful and hallucinated lists "
                            "differ in length; answers pair by position) and were left out");
    }
    return set;
}

}  // namespace avss
