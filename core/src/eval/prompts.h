// The prompt templates of every task, each exactly as lm-evaluation-harness renders it (or as
// docs/evaluation.md defines it where the harness has no such task). Changing one changes scores:
// the tests pin every string.
#pragma once

#include <string>
#include <string_view>

namespace avss::eval {

// TruthfulQA: the harness's six-pair QA primer, then "\n\nQ: <question>\nA:" (no trailing space).
std::string truthfulqaContext(std::string_view question);
// SciQ: "<support.lstrip()>\nQuestion: <q>\nAnswer:" (harness), or "Question: <q>\nAnswer:" closed-book.
std::string sciqContext(std::string_view question, std::string_view support);
std::string sciqClosedBookContext(std::string_view question);
// NQ-open 0-shot: "Answer these questions:\n\nQ: <q>?\nA:".
std::string nqOpenPrompt(std::string_view question);
// TriviaQA (and generic qa): "Question: <q>?\nAnswer:" ("?" appended even after a "?").
std::string triviaqaPrompt(std::string_view question);
// SST-2: "<sentence>\nQuestion: Is this sentence positive or negative?\nAnswer:", sentence as stored.
std::string sst2Context(std::string_view sentence);
// WikiQA yes/no: "Question: <q>\nSentence: <s>\nDoes the sentence answer the question? Answer:".
std::string wikiqaContext(std::string_view question, std::string_view sentence);

}  // namespace avss::eval
