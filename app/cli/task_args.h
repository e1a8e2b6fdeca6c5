// Command-line options that say how a task file is read (avss/eval_task.h), shared by `avss eval`
// and `avss sweep`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "args.h"
#include "avss/eval_task.h"
#include "avss/evaluator.h"

namespace avss::cli {

std::vector<OptionSpec> taskReadOptions();  // --limit --strict --no-support --question-field --answer-field --alias-field
TaskSpec taskSpecFromArgs(const ParsedArgs& args, std::string name, std::string data);
// How tasks run (avss eval, avss mitigate): --max-new-tokens --window --max-tokens --bootstrap.
std::vector<OptionSpec> evalRunOptions();
EvalOptions evalOptionsFromArgs(const ParsedArgs& args);  // batch, skipped layers and records stay at their defaults
// Lists on stderr the rows a loaded task skipped and the items it left out as excluded questions.
void reportLoaded(const TaskData& task);
// --<option> NAME=FILE[,NAME=FILE...]: every task loaded (skipped rows listed on stderr), each spec
// passed through `adjust` first; UsageError for a malformed item, or for an empty list when `required`.
std::vector<TaskData> loadTaskList(const ParsedArgs& args, const std::string& option, bool required,
                                   const std::function<TaskSpec(TaskSpec)>& adjust = {});

}  // namespace avss::cli
