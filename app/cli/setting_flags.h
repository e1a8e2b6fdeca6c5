// The CLI's names for the settings that core errors are about (avss::Setting): core messages speak
// in domain words, and the CLI appends the flags that change those settings.
#pragma once

#include <string>
#include <vector>

#include "avss/error.h"

namespace avss::cli {

// " (see --seq-len, --max-tokens)": the flags for e.settings() among `options` (the running
// command's option names, without dashes); empty when none applies.
std::string flagNote(const Error& e, const std::vector<std::string>& options);

}  // namespace avss::cli
