// Setting → flag table of the CLI; a setting with two flags (--cache, --from-cache) names the ones
// the running command has.
#include "setting_flags.h"

#include <algorithm>

namespace avss::cli {
namespace {

std::vector<const char*> flagsOf(Setting s) {
    switch (s) {
        case Setting::SequenceLength: return {"seq-len"};
        case Setting::MaxTokens: return {"max-tokens"};
        case Setting::BatchSize: return {"batch"};
        case Setting::ShardCount: return {"shards"};
        case Setting::Device: return {"device"};
        case Setting::CacheFile: return {"cache", "from-cache"};
        case Setting::Weights: return {"weights"};
    }
    return {};
}

}  // namespace

std::string flagNote(const Error& e, const std::vector<std::string>& options) {
    std::string flags;
    for (const Setting s : e.settings()) {
        for (const char* flag : flagsOf(s)) {
            if (std::find(options.begin(), options.end(), flag) == options.end()) continue;
            flags += (flags.empty() ? "" : ", ") + std::string("--") + flag;
        }
    }
    return flags.empty() ? std::string() : " (see " + flags + ")";
}

}  // namespace avss::cli
