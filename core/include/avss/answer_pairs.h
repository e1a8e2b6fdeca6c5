// Truthful and hallucinated answers to the same question, read from a pairs file: the data of
// the hallucination analysis (avss/hallu_stats.h) and of contrastive training. Torch-free.
// Templates and pairing rules: docs/hallucination.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace avss {

enum class PairFormat {
    TruthfulQa,  // TruthfulQA.csv: Correct Answers vs Incorrect Answers of each question
    HaluEval,    // HaluEval QA JSONL: right_answer vs hallucinated_answer (knowledge optional)
    Pairs,       // JSONL {"question", "truthful", "hallucinated"}: strings, or lists of equal length
    SelfAnswers, // "qa-self": the model's own answers to a task's questions, right vs wrong (avss/self_answers.h)
};
PairFormat parsePairFormat(std::string_view name);  // UsageError listing the names
// "auto": a .csv file is TruthfulQA, anything else HaluEval QA; otherwise parsePairFormat(name).
PairFormat pairFormatFor(std::string_view name, const std::filesystem::path& file);
const char* pairFormatName(PairFormat format);      // "truthfulqa", "halueval", "pairs", "qa-self"

struct AnswerPair {
    std::string context;       // the question as the model sees it, ending "\nA:"
    std::string truthful;      // an answer, without the leading space the continuation gets
    std::string hallucinated;
    std::string source;        // "<file>:<line>" of its row
    std::string question;      // as the file has it (to keep a tuned model's evaluation off its training questions)
    std::string hallucinatedContext;  // empty: `context`; else the hallucinated answer's own question (qa-self pairs)
};

enum class PairHalf { All, Even, Odd };  // questions by their 0-based position in the file: two disjoint folds
PairHalf parsePairHalf(std::string_view name);  // "all", "even", "odd"; UsageError otherwise
const char* pairHalfName(PairHalf half);

struct PairSpec {
    std::filesystem::path file;
    PairFormat format = PairFormat::HaluEval;
    std::int64_t limit = 0;    // the first N questions of the half (0 = all)
    bool knowledge = false;    // HaluEval: open the context with its knowledge passage
    PairHalf half = PairHalf::All;
};

struct PairSet {
    PairSpec spec;
    std::string fingerprint;   // file content and every setting that changes the pairs
    std::vector<AnswerPair> pairs;
    std::int64_t questions = 0;
    std::int64_t unpaired = 0;  // answers left over when a question's lists differ in length (TruthfulQA)
    std::vector<std::string> notes;
};

// Every row must be usable: a missing field, an empty question or answer, or lists of different
// lengths (format "pairs") is a FormatError naming the file and line. IoError for a missing file;
// UsageError for "qa-self", whose pairs need the model (selfAnswerPairs).
PairSet loadPairs(const PairSpec& spec);

// The prompt templates (pinned by the tests).
std::string pairContext(std::string_view question);                            // "Q: <question>\nA:"
std::string pairContextWithKnowledge(std::string_view knowledge, std::string_view question);  // "Knowledge: <k>\nQ: <q>\nA:"

}  // namespace avss
