// Top-level dispatch: global flags (--version, --help, --threads), then the subcommand.
#pragma once

#include <string>
#include <vector>

#include "avss/error.h"
#include "context.h"

namespace avss::cli {

int dispatch(const std::vector<std::string>& args, Context& ctx);
int exitCodeFor(const Error& e);

}  // namespace avss::cli
