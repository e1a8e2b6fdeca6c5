// Numbers as the command tables print them.
#pragma once

#include <string>
#include <vector>

namespace avss::cli {

std::string fixed(double v, int precision);  // fixed-point with `precision` decimals; "n/a" when not finite
std::string setText(const std::vector<int>& v);  // "{1,5,7}": a set of layers

}  // namespace avss::cli
