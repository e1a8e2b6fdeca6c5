// Numbers as the command tables print them.
#pragma once

#include <string>

namespace avss::cli {

std::string fixed(double v, int precision);  // fixed-point with `precision` decimals; "n/a" when not finite

}  // namespace avss::cli
