// Command-line options that describe a pruning rule, shared by `avss score` and `avss prune`; the
// protected ends also by `avss sweep`.
#pragma once

#include <vector>

#include "args.h"
#include "avss/pruning_plan.h"

namespace avss::cli {

std::vector<OptionSpec> pruningRuleOptions();      // --rule --fraction --count --mass --protect
PruningRule pruningRuleFromArgs(const ParsedArgs& args);

struct Protection {
    bool first = false, last = false;
};
OptionSpec protectOption();                         // --protect first,last|none
Protection protectionFromArgs(const ParsedArgs& args);

}  // namespace avss::cli
