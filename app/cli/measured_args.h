// Command-line options of the measured-importance metrics (avss/measured_importance.h), shared by
// `avss score --measured` and `avss prune --metric loo-ppl|sleb|iterative:<id>`.
#pragma once

#include <vector>

#include "args.h"
#include "avss/measured_importance.h"

namespace avss::cli {

std::vector<OptionSpec> measuredOptions();  // --measured-tokens --measured-window --max-removed
// The options above, --batch where the command has it, and the protected ends of --protect (as the pruning rule).
MeasuredOptions measuredOptionsFromArgs(const ParsedArgs& args, const StatsSettings& settings = {});

}  // namespace avss::cli
