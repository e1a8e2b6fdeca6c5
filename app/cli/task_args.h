// Command-line options that say how a task file is read (avss/eval_task.h), shared by `avss eval`
// and `avss sweep`.
#pragma once

#include <string>
#include <vector>

#include "args.h"
#include "avss/eval_task.h"

namespace avss::cli {

std::vector<OptionSpec> taskReadOptions();  // --limit --strict --no-support --question-field --answer-field --alias-field
TaskSpec taskSpecFromArgs(const ParsedArgs& args, std::string name, std::string data);

}  // namespace avss::cli
