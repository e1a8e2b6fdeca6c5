// The per-task readers behind loadTask (task_registry.cpp) and the pieces they share. Each reader
// returns a complete TaskData or throws as loadTask documents.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "avss/eval_task.h"

namespace avss::eval {

TaskData readPerplexity(const TaskSpec& spec);
TaskData readSciq(const TaskSpec& spec);
TaskData readTruthfulqa(const TaskSpec& spec);
TaskData readNqOpen(const TaskSpec& spec);
TaskData readTriviaqa(const TaskSpec& spec);
TaskData readQa(const TaskSpec& spec);
TaskData readSst2(const TaskSpec& spec);
TaskData readWikiqa(const TaskSpec& spec);

// A TaskData with the task's name, title, kind and file filled in from the registry.
TaskData newTaskData(const TaskSpec& spec, const std::string& task, TaskKind kind, std::string title);

// A one-gold multiple-choice set; throws RowProblem for an empty choice (acc_norm divides by its length).
ChoiceSet goldChoiceSet(std::string context, std::vector<std::string> choices, std::size_t gold);

// The metrics of a registered task, in report order; nullptr for an unknown name.
const std::vector<std::string>* registeredMetrics(std::string_view task);

// "0" or "1" (surrounding whitespace allowed) → 0/1; anything else throws RowProblem naming `what`.
int parseBinaryLabel(std::string_view text, const std::string& what);

// TruthfulQA.csv answer lists: "a; b;c" → {"a", "b", "c"}: split at ';', each stripped, empty parts
// dropped (the original code's rule).
std::vector<std::string> splitTruthfulqaAnswers(std::string_view list);

}  // namespace avss::eval
