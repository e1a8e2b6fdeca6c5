// Numbers as the command tables print them (number_text.h).
#include "number_text.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace avss::cli {

std::string fixed(double v, int precision) {
    if (!std::isfinite(v)) return "n/a";
    std::ostringstream o;
    o << std::fixed << std::setprecision(precision) << v;
    return o.str();
}

std::string setText(const std::vector<int>& v) {
    std::ostringstream o;
    o << '{';
    for (std::size_t i = 0; i < v.size(); ++i) o << (i ? "," : "") << v[i];
    o << '}';
    return o.str();
}

}  // namespace avss::cli
