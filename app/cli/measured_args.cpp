// Measured-importance options.
#include "measured_args.h"

#include "pruning_args.h"

namespace avss::cli {

std::vector<OptionSpec> measuredOptions() {
    return {{"measured-tokens", "N", "measured metrics: calibration tokens from the start of the text", "512"},
            {"measured-window", "N", "measured metrics: tokens per calibration window", "256"},
            {"max-removed", "K", "sleb and iterative: removal steps (0 = half the blocks)", "0"}};
}

MeasuredOptions measuredOptionsFromArgs(const ParsedArgs& args, const StatsSettings& settings) {
    MeasuredOptions o;
    o.tokens = args.getInt("measured-tokens", 2, 1LL << 40);
    o.window = static_cast<int>(args.getInt("measured-window", 2, 1 << 20));
    if (args.find("batch")) o.batch = static_cast<int>(args.getInt("batch", 1, 4096));  // score's --batch; prune has none
    const auto k = static_cast<int>(args.getInt("max-removed", 0, 1 << 20));
    o.maxRemoved = k == 0 ? -1 : k;
    const auto protection = protectionFromArgs(args);
    o.protectFirst = protection.first;
    o.protectLast = protection.last;
    o.settings = settings;
    return o;
}

}  // namespace avss::cli
